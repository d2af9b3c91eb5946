"""The families behind nn.functional, one module each."""
