#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Name every non-static function of the given C files that has no kernel-doc.

A function is documented when a comment opening with "/**" and the line
" * NAME() - ..." appears in any of the files (its .c or a header).  Prints
"FILE: NAME" for each one that is not and exits 1 if there is any; with -v,
prints how many functions it saw.
"""

import re
import sys

DEF = re.compile(r'^(?!static\b)[A-Za-z_][\w \*]*?[\s\*](\w+)\(([^;{]*?)\)\s*\n\{', re.M)
DOC = re.compile(r'^/\*\*\s*\n\s*\*\s*(\w+)\(\)\s+-\s+\S', re.M)


def main(argv):
    verbose = bool(argv) and argv[0] == '-v'
    files = argv[1:] if verbose else argv
    defs, docs = [], set()
    for path in files:
        with open(path, encoding='utf-8') as f:
            src = f.read()
        docs.update(DOC.findall(src))
        if path.endswith('.c'):
            defs += [(path, m.group(1)) for m in DEF.finditer(src)]
    missing = [(p, n) for p, n in defs if n not in docs]
    for p, n in missing:
        print('%s: %s() has no kernel-doc' % (p, n))
    if verbose:
        print('%d non-static functions, %d without kernel-doc' % (len(defs), len(missing)))
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
