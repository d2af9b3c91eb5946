"""The pickle program inside a checkpoint: written opcode by opcode for the few types ember saves
(pickler.py) and read back by a small restricted virtual machine (unpickler.py) that only knows
those types, so that loading a file never imports or calls anything the file names."""
