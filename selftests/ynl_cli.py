#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ynl_cli.py - run the kernel's ynl CLI (tools/net/ynl/cli.py) as it is,
with two changes: PyYAML's C loader (libyaml) reads the spec, where the CLI
asks for the pure-Python one (the spec is the same and reads the same; in
a test guest under emulation the C loader takes a second less per call),
and SIGUSR1 ends a listener's --sleep early, so that a test stops it once
what it listens for is over instead of always waiting the whole sleep.

  ynl_cli.py PATH/TO/cli.py ARGS...
"""

import os
import runpy
import signal
import sys
import time

import yaml

if getattr(yaml, "CSafeLoader", None):
    yaml.safe_load = lambda stream: yaml.load(stream, Loader=yaml.CSafeLoader)


def sleep(secs):
    """time.sleep, but over when SIGUSR1 comes (blocked, so never lost)."""
    signal.sigtimedwait([signal.SIGUSR1], secs)


signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
time.sleep = sleep
cli = sys.argv[1]
sys.argv = sys.argv[1:]
sys.path.insert(0, os.path.dirname(os.path.abspath(cli)))
runpy.run_path(cli, run_name="__main__")
