"""Runs every workload on ember, torch and raw NumPy, each library in several fresh processes,
interleaved, and prints one table of median times and ratios against torch.

Each process reports the median over its samples; a library's figure is its best process
(machine noise moves small-op times a lot between processes, and the best process is the fair
and, for ember, the harder comparison).

    python -m benchmarks [--processes N] [--json FILE] [--only SUBSTRING]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

LIBRARIES = ("ember", "torch", "numpy")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def _measure_in_this_process(library, names):
    from benchmarks.workloads import WORKLOADS
    results = {}
    for name in names:
        build, calls, samples = WORKLOADS[name]
        try:
            function = build(library)
            if function is None:
                continue
            for _ in range(max(calls // 10, 1)):
                function()
        except Exception as error:  # a workload the library cannot run yet is reported, not fatal
            print(f"{library}: {name}: {type(error).__name__}: {error}", file=sys.stderr)
            continue
        timings = []
        for _ in range(samples):
            start = time.perf_counter()
            for _ in range(calls):
                function()
            timings.append((time.perf_counter() - start) / calls)
        results[name] = statistics.median(timings)
    return results


def _import_time(library):
    if library == "numpy":
        statement = "import numpy"
    else:
        statement = f"import {library}"
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    # Imports are timed as users meet them: with bytecode caches written (an installed wheel
    # has them; PYTHONDONTWRITEBYTECODE would make every import recompile ember's source).
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-c", statement], check=True, cwd=ROOT, env=environment)
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT, env=environment)
    return float(output.stdout)


def _child_main(library, names):
    print(json.dumps(_measure_in_this_process(library, names)))


def _resident_megabytes():
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_megabytes():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _memory_main(library):
    """W8: resident memory after import and building the batch-1024 MLP step, and the growth
    of peak resident memory over 20 steps."""
    from benchmarks.workloads import WORKLOADS
    step = WORKLOADS["W6 MLP step batch 1024"][0](library)
    after_setup = _resident_megabytes()
    peak_before = _peak_megabytes()
    for _ in range(20):
        step()
    print(json.dumps({"setup": after_setup, "growth": _peak_megabytes() - peak_before}))


def measure_memory(processes):
    """{'W8 memory after setup (MB)': {...}, 'W8 peak growth, 20 steps (MB)': {...}}, best
    (lowest) process per library."""
    setup, growth = {}, {}
    for _ in range(processes):
        for library in ("ember", "torch"):
            output = subprocess.run([sys.executable, "-m", "benchmarks.run", "--memory", library],
                                    capture_output=True, text=True, cwd=ROOT)
            if output.returncode != 0:
                print(output.stderr, file=sys.stderr)
                continue
            values = json.loads(output.stdout.strip().splitlines()[-1])
            setup[library] = min(setup.get(library, values["setup"]), values["setup"])
            growth[library] = min(growth.get(library, values["growth"]), values["growth"])
    return {"W8 memory after setup (MB)": setup, "W8 peak growth, 20 steps (MB)": growth}


def _run_child(library, names):
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--child", library, "--names", json.dumps(names)],
        capture_output=True, text=True, cwd=ROOT)
    if output.returncode != 0:
        raise RuntimeError(output.stderr)
    return json.loads(output.stdout.strip().splitlines()[-1])


def measure(processes, names):
    """{workload: {library: best-process median seconds}}, including import time."""
    from benchmarks.workloads import WORKLOADS
    names = [name for name in WORKLOADS if name in names]
    best = {name: {} for name in ["W1 import"] + names}
    for _ in range(processes):
        for library in LIBRARIES:
            seconds = _import_time(library)
            best["W1 import"][library] = min(best["W1 import"].get(library, seconds), seconds)
            for name, value in _run_child(library, names).items():
                best[name][library] = min(best[name].get(library, value), value)
    return best


def _format_time(seconds, name=""):
    if seconds is None:
        return "-"
    if "(MB)" in name:
        return f"{seconds:.1f} MB"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def print_table(best, processes):
    print(f"best-process medians over {processes} fresh processes per library, interleaved")
    header = f"{'workload':34} {'ember':>10} {'torch':>10} {'numpy':>10} {'ember/torch':>12} " \
             f"{'ember/numpy':>12} {'numpy/torch':>12}"
    print(header)
    print("-" * len(header))
    for name, timings in best.items():
        ember_time = timings.get("ember")
        torch_time = timings.get("torch")
        numpy_time = timings.get("numpy")
        versus_torch = f"{ember_time / torch_time:.2f}" if ember_time and torch_time else "-"
        versus_numpy = f"{ember_time / numpy_time:.2f}" if ember_time and numpy_time else "-"
        # the lowest ember/torch any NumPy-backed library doing the same arithmetic can reach
        floor = f"{numpy_time / torch_time:.2f}" if numpy_time and torch_time else "-"
        print(f"{name:34} {_format_time(ember_time, name):>10} "
              f"{_format_time(torch_time, name):>10} {_format_time(numpy_time, name):>10} "
              f"{versus_torch:>12} {versus_numpy:>12} {floor:>12}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=5)
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--only", default="", help="run workloads whose name contains this")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--names", help=argparse.SUPPRESS)
    parser.add_argument("--memory", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child_main(args.child, json.loads(args.names))
        return
    if args.memory:
        _memory_main(args.memory)
        return
    from benchmarks.workloads import WORKLOADS
    names = [name for name in WORKLOADS if args.only in name]
    best = measure(args.processes, names)
    if args.only in "W8 memory":
        best.update(measure_memory(args.processes))
    print_table(best, args.processes)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(best, handle, indent=2)


if __name__ == "__main__":
    main()
