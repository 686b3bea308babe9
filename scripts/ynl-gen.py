#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generate causal's netlink code from its YAML spec with the kernel's ynl tools.

The spec (Documentation/netlink/specs/causal.yaml) is the one definition of the
uAPI.  From it this script writes, with the generators of tools/net/ynl in a
linux-source tree:

  include/uapi/linux/causal.h   uAPI header          (ynl-gen-c, mode uapi)
  kmod/netlink-gen.h, .c        policies, ops table  (ynl-gen-c, mode kernel)
  Documentation/netlink/causal.rst  reference        (ynl-gen-rst)

The kernel's generator emits split ops (genl_split_ops, Linux 6.2+) for plain
genetlink families.  causal also supports 6.1, so the ops table is generated in
the generator's own 'per-op' form (struct genl_ops with a policy per op), which
both kernels accept.  Everything else is the generator's unchanged output.

Usage: ynl-gen.py --ynl DIR [--check] [--root DIR]
  --check  compare with the files in the tree instead of writing; exit 1 and
           name the stale files if any differ.
"""

import argparse
import importlib.util
import io
import os
import sys
import tempfile

SPEC = 'Documentation/netlink/specs/causal.yaml'
OUTPUTS = {
    'uapi': 'include/uapi/linux/causal.h',
    'kernel-header': 'kmod/netlink-gen.h',
    'kernel-source': 'kmod/netlink-gen.c',
    'rst': 'Documentation/netlink/causal.rst',
}


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def render_c(gen, ynl, spec_path, mode, header, out):
    schema = os.path.join(ynl, '..', '..', '..', 'Documentation', 'netlink',
                          'genetlink.yaml')
    family = gen.Family(spec_path, [])
    if mode == 'kernel':
        family.kernel_policy = 'per-op'
    cw = gen.CodeWriter(gen.BaseNlLib(), out)

    if mode == 'uapi' or header:
        cw.p(f'/* SPDX-License-Identifier: {family.license} */')
    else:
        cw.p(f'// SPDX-License-Identifier: {family.license}')
    cw.p('/* Do not edit directly, auto-generated from: */')
    cw.p(f'/*\t{SPEC} */')
    cw.p(f"/* YNL-GEN {mode} {'header' if header else 'source'} */")
    cw.nl()

    if mode == 'uapi':
        gen.render_uapi(family, cw)
        cw.close_out_file()
        return schema

    guard = f'_LINUX_{family.c_name.upper()}_GEN_H'
    if header:
        cw.p('#ifndef ' + guard)
        cw.p('#define ' + guard)
        cw.nl()
    cw.p('#include <net/netlink.h>')
    cw.p('#include <net/genetlink.h>')
    cw.nl()
    if not header:
        cw.p(f'#include "{os.path.basename(OUTPUTS["kernel-header"])}"')
        cw.nl()
    for one in ['uapi/' + family.uapi_header] + family.kernel_family.get('headers', []):
        cw.p(f'#include <{one}>')
    cw.nl()

    if header:
        gen.render_scoped_consts(family, cw, 'kernel')
        for op in family.ops.values():
            if 'do' in op and 'event' not in op:
                ri = gen.RenderInfo(cw, family, mode, op, 'do')
                gen.print_req_policy_fwd(cw, ri.struct['request'], ri=ri)
                cw.nl()
        gen.print_kernel_op_table_hdr(family, cw)
        gen.print_kernel_mcgrp_hdr(family, cw)
        gen.print_kernel_family_struct_hdr(family, cw)
        cw.p(f'#endif /* {guard} */')
    else:
        gen.print_kernel_policy_ranges(family, cw)
        for op in family.ops.values():
            for op_mode in ['do', 'dump']:
                if op_mode in op and 'request' in op[op_mode]:
                    cw.p(f'/* {op.enum_name} - {op_mode} */')
                    ri = gen.RenderInfo(cw, family, mode, op, op_mode)
                    gen.print_req_policy(cw, ri.struct['request'], ri=ri)
                    cw.nl()
        print_op_table(gen, family, cw)
        print_mcgrps(gen, family, cw)
        gen.print_kernel_family_struct_src(family, cw)
    cw.close_out_file()


def print_op_table(gen, family, cw):
    """The generator's per-op ops table, also for ops whose request is empty."""
    gen.print_kernel_op_table_fwd(family, cw, terminate=False)
    for op in family.ops.values():
        if op.is_async:
            continue
        members = [('cmd', op.enum_name)]
        for op_mode in ['do', 'dump']:
            if op_mode in op:
                members.append((op_mode + 'it',
                                gen.c_lower(f'{family.ident_name}-nl-{op.name}-{op_mode}it')))
        if 'request' in op['do']:
            members.append(('policy', gen.c_lower(f'{family.ident_name}-{op.name}-nl-policy')))
            struct = gen.Struct(family, op['attribute-set'],
                                type_list=op['do']['request']['attributes'])
            members.append(('maxattr', struct.attr_max_val.enum_name))
        if 'flags' in op:
            members.append(('flags', ' | '.join([gen.c_upper('genl-' + x) for x in op['flags']])))
        cw.block_start()
        cw.write_struct_init(members)
        cw.block_end(line=',')
    cw.block_end(line=';')
    cw.nl()


def print_mcgrps(gen, family, cw):
    """The generator's multicast groups, with their flags (which it leaves out).

    admin-perm asks for CAP_NET_ADMIN in the user namespace that owns the
    network namespace: GENL_MCAST_CAP_NET_ADMIN, which genl_bind() checks
    (as newer generators emit it).
    """
    flags = {'admin-perm': 'GENL_MCAST_CAP_NET_ADMIN'}
    if not family.mcgrps['list']:
        return
    cw.block_start(f'static const struct genl_multicast_group {family.c_name}_nl_mcgrps[] =')
    for grp in family.mcgrps['list']:
        grp_id = gen.c_upper(f"{family.ident_name}-nlgrp-{grp['name']}")
        caps = ' | '.join(flags[f] for f in grp.get('flags', []))
        cw.p(f'[{grp_id}] = {{ .name = "{grp["name"]}",' +
             (f' .flags = {caps},' if caps else '') + ' },')
    cw.block_end(';')
    cw.nl()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--ynl', required=True, help='tools/net/ynl of a linux-source tree')
    ap.add_argument('--root', default=os.path.join(os.path.dirname(__file__), '..'))
    ap.add_argument('--check', action='store_true')
    args = ap.parse_args()

    ynl = os.path.abspath(args.ynl)
    root = os.path.abspath(args.root)
    sys.path.insert(0, ynl)
    gen = load_module(os.path.join(ynl, 'ynl-gen-c.py'), 'ynl_gen_c')
    rst = load_module(os.path.join(ynl, 'ynl-gen-rst.py'), 'ynl_gen_rst')

    # The spec is validated against the kernel's genetlink schema, which
    # nlspec looks for two directories above the spec.
    os.chdir(root)
    schema_dir = os.path.join(ynl, '..', '..', '..', 'Documentation', 'netlink')
    spec_path = os.path.join(tempfile.mkdtemp(), 'netlink', 'specs', 'causal.yaml')
    os.makedirs(os.path.dirname(spec_path))
    os.symlink(os.path.join(root, SPEC), spec_path)
    os.symlink(os.path.join(os.path.abspath(schema_dir), 'genetlink.yaml'),
               os.path.join(os.path.dirname(os.path.dirname(spec_path)), 'genetlink.yaml'))

    tmp = tempfile.mkdtemp()
    made = {}
    for key, header, mode in [('uapi', True, 'uapi'),
                              ('kernel-header', True, 'kernel'),
                              ('kernel-source', False, 'kernel')]:
        made[key] = os.path.join(tmp, key)
        render_c(gen, ynl, spec_path, mode, header, made[key])

    made['rst'] = os.path.join(tmp, 'rst')
    text = rst.parse_yaml_file(os.path.join(root, SPEC))
    with open(made['rst'], 'w') as f:
        f.write(text)

    stale = []
    for key, path in OUTPUTS.items():
        with open(made[key]) as f:
            new = f.read()
        dest = os.path.join(root, path)
        old = open(dest).read() if os.path.exists(dest) else None
        if old == new:
            continue
        if args.check:
            stale.append(path)
        else:
            with open(dest, 'w') as f:
                f.write(new)
            print(f'  GEN     {path}')
    if stale:
        print('stale generated files (run make regen): ' + ' '.join(stale), file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
