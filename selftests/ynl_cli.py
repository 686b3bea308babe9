#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ynl_cli.py - run the kernel's ynl CLI (tools/net/ynl/cli.py) as it is,
with one change: PyYAML's C loader (libyaml) reads the spec, where the CLI
asks for the pure-Python one.  The spec is the same and reads the same; in
a test guest under emulation the C loader takes a second less per call.

  ynl_cli.py PATH/TO/cli.py ARGS...
"""

import os
import runpy
import sys

import yaml

if getattr(yaml, "CSafeLoader", None):
    yaml.safe_load = lambda stream: yaml.load(stream, Loader=yaml.CSafeLoader)
cli = sys.argv[1]
sys.argv = sys.argv[1:]
sys.path.insert(0, os.path.dirname(os.path.abspath(cli)))
runpy.run_path(cli, run_name="__main__")
