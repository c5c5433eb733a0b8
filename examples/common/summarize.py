#!/usr/bin/env python3
"""Shared by the examples' run.sh scripts: reads the `--json` documents that `modelrun train`
and `modelrun eval` print and formats the markdown tables the READMEs show.

    summarize.py metric RUN.json [RUN.json ...] NAME    mean and spread of metrics[NAME]
    summarize.py baseline RUN.json NAME                  baselines[NAME]
    summarize.py parameters SHOW.json                    parameters of `modelc show --json`

Values are printed with 3 decimals; over several runs as `mean ± sd` (sample standard deviation).
"""
import json
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def spread(values):
    n = len(values)
    mean = sum(values) / n
    if n == 1:
        return f"{mean:.3f}"
    sd = (sum((v - mean) ** 2 for v in values) / (n - 1)) ** 0.5
    return f"{mean:.3f} ± {sd:.3f}"


def main(argv):
    command = argv[1]
    if command == "metric":
        *paths, name = argv[2:]
        print(spread([load(p)["metrics"][name] for p in paths]))
    elif command == "baseline":
        path, name = argv[2:]
        print(f"{load(path)['baselines'][name]:.3f}")
    elif command == "parameters":
        print(load(argv[2])["parameters"])
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv)
