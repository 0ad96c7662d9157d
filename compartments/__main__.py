"""Command line: fits and sweeps from a YAML file, locally or on a Dask cluster.

    python -m compartments fit CONFIG.yaml [--scheduler tcp://host:8786] [--no-progress]
    python -m compartments sweep CONFIG.yaml [--scheduler ...]

A fit configuration::

    template: PV_BC                  # a catalogue type (celltypes) or a saved template file
    parameters:                      # name: [low, high, unit]  (unit omitted: dimensionless)
      gbar_kv3_soma: [20, 120, msiemens/cm**2]
      scale(g_*leak_soma): [0.3, 3]
    log: [gbar_kv3_soma]
    protocols: standard              # the type's standard series, or a list of specs
                                     # ({kind: steps, amplitudes_nA: [...], reference_nA: 1})
    targets: catalogue               # the type's targets, a CSV file, or {feature: [mean, sd]}
    optimizer: cma                   # or de
    population: 32
    generations: 30
    seed: 1
    directory: results/pv_fit        # durable: rerun the command to resume
    output: results/pv_fit.json      # fitted values, errors, settings
    target: cython                   # code generation; dt_ms: 0.025

A sweep configuration has ``design`` instead of parameters/targets/optimizer::

    design: {kind: latin_hypercube, n: 1000, seed: 1,
             bounds: {gbar_kv3_soma: [20, 120, msiemens/cm**2]}}
    # or {kind: grid, values: {E_leak_soma: [[-70, -65, -60], mV]}}
    batch_size: 250
    output: results/pv_sweep.parquet

The scheduler may also be given in the file (``scheduler:``). Exit status 0 on success;
errors name the configuration key at fault.
"""

import argparse
import json
import os
import sys

import numpy as np
import pandas as pd
import yaml
from brian2 import ms
from brian2.core.namespace import DEFAULT_UNITS

__all__ = ["main", "load_config"]


class ConfigError(ValueError):
    """A configuration file that cannot be used: the message names the key."""


def _unit(text, key):
    try:
        return eval(str(text), {"__builtins__": {}}, dict(DEFAULT_UNITS))  # noqa: S307
    except Exception as ex:
        raise ConfigError(f"{key}: {text!r} is not a Brian2 unit expression.") from ex


def _bounds(spec, key):
    if not isinstance(spec, (list, tuple)) or len(spec) not in (2, 3):
        raise ConfigError(f"{key}: give [low, high] or [low, high, unit]. Got {spec!r} instead.")
    unit = _unit(spec[2], key) if len(spec) == 3 else 1
    return (float(spec[0]) * unit, float(spec[1]) * unit)


def _template(config):
    from .serialization import load_template

    name = config.get("template")
    if not name:
        raise ConfigError("template: required (a catalogue type name or a template file).")
    if os.path.exists(str(name)):
        return load_template(name)
    try:
        import celltypes
    except ImportError as ex:
        raise ConfigError(f"template: {name!r} is no file, and the celltypes package is not "
                          f"installed to look it up as a cell type.") from ex
    return celltypes.get(name)


def _protocols(config, template):
    from .analysis.series import series_from_spec

    spec = config.get("protocols", "standard")
    if spec == "standard":
        from celltypes import characterise

        if template.name not in characterise.STANDARD:
            raise ConfigError(f"protocols: 'standard' needs a catalogue type with a standard "
                              f"protocol; {template.name!r} has none. List the protocols.")
        return characterise.series(template)
    if not isinstance(spec, list):
        raise ConfigError(f"protocols: 'standard' or a list of protocol specs. Got {spec!r} "
                          f"instead.")
    return [series_from_spec(s) for s in spec]


def _targets(config, template):
    spec = config.get("targets", "catalogue")
    if spec == "catalogue":
        import celltypes

        return celltypes.targets(template.name)
    if isinstance(spec, str):
        return pd.read_csv(spec)
    if isinstance(spec, dict):
        return {k: tuple(v) if isinstance(v, list) else v for k, v in spec.items()}
    raise ConfigError(f"targets: 'catalogue', a CSV file or a mapping. Got {spec!r} instead.")


def _design(config):
    from .space import grid, latin_hypercube, random

    spec = config.get("design")
    if not isinstance(spec, dict) or "kind" not in spec:
        raise ConfigError("design: required, a mapping with 'kind' (grid, random, "
                          "latin_hypercube).")
    kind = spec["kind"]
    if kind == "grid":
        values = {}
        for name, v in (spec.get("values") or {}).items():
            if not isinstance(v, list) or len(v) not in (1, 2) or not isinstance(v[0], list):
                raise ConfigError(f"design.values.{name}: give [[v1, v2, ...], unit]. Got {v!r} "
                                  f"instead.")
            unit = _unit(v[1], f"design.values.{name}") if len(v) == 2 else 1
            values[name] = np.asarray(v[0], dtype=float) * unit
        return grid(values)
    if kind in ("random", "latin_hypercube"):
        bounds = {n: _bounds(b, f"design.bounds.{n}") for n, b in (spec.get("bounds") or {}).items()}
        make = random if kind == "random" else latin_hypercube
        return make(bounds, int(spec.get("n", 0)), seed=spec.get("seed"), log=spec.get("log", ()))
    raise ConfigError(f"design.kind: grid, random or latin_hypercube. Got {kind!r} instead.")


def load_config(path):
    """Read a YAML configuration (a mapping)."""
    with open(path) as f:
        config = yaml.safe_load(f)
    if not isinstance(config, dict):
        raise ConfigError(f"{path}: the file must hold a mapping of settings.")
    return config


def _run_fit(config, client, progress):
    from .fit import fit

    template = _template(config)
    parameters = {n: _bounds(b, f"parameters.{n}")
                  for n, b in (config.get("parameters") or {}).items()}
    result = fit(template, parameters, _targets(config, template), _protocols(config, template),
                 optimizer=config.get("optimizer", "cma"),
                 population=int(config.get("population", 32)),
                 generations=int(config.get("generations", 30)), seed=config.get("seed"),
                 log=config.get("log", ()), stop_when_met=bool(config.get("stop_when_met", False)),
                 directory=config.get("directory"), batch_size=config.get("batch_size"),
                 client=client, progress=progress, dt=float(config.get("dt_ms", 0.025)) * ms,
                 target=config.get("target"))
    print(result.table().to_string(index=False))
    print(result.comparison().to_string(index=False))
    output = config.get("output")
    if output:
        data = {"parameters": result.table().to_dict("records"),
                "comparison": result.comparison().to_dict("records"),
                "error": result.error_, "settings": result.settings,
                "command": " ".join(["python -m compartments", *sys.argv[1:]])}
        with open(output, "w") as f:
            json.dump(data, f, indent=1, default=float)
    return result


def _run_sweep(config, client, progress):
    from .sweep import sweep

    template = _template(config)
    table = sweep(template, _design(config), _protocols(config, template),
                  directory=config.get("directory"),
                  batch_size=int(config.get("batch_size", 256)), client=client,
                  progress=progress, dt=float(config.get("dt_ms", 0.025)) * ms,
                  target=config.get("target"))
    output = config.get("output")
    if output:
        table.to_parquet(output, index=False)
    print(table.status.value_counts().to_string())
    return table


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m compartments",
                                     description="Fits and sweeps from a YAML file.")
    parser.add_argument("command", choices=("fit", "sweep"))
    parser.add_argument("config", help="YAML configuration file")
    parser.add_argument("--scheduler", help="Dask scheduler address (overrides the file's)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    config = load_config(args.config)
    client = args.scheduler or config.get("scheduler")
    run = _run_fit if args.command == "fit" else _run_sweep
    run(config, client, not args.no_progress)
    return 0


if __name__ == "__main__":
    sys.exit(main())
