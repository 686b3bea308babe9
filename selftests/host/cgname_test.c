// SPDX-License-Identifier: GPL-2.0
/*
 * What causalctl reads from a cgroup's path (user/cgname.c): the
 * container, its runtime, the Kubernetes pod and the systemd unit, for the
 * names Docker, containerd, CRI-O, Podman, the kubelet and systemd give
 * their cgroups, and nothing from names that only look like them.
 */

#include <string.h>

#include "../../user/cgname.h"
#include "kselftest_harness.h"

#define ID "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899"
#define UID "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
#define UID_ "0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0"

struct want {
	const char *path, *runtime, *container, *pod, *unit;
};

static const struct want cases[] = {
	{ "/system.slice/docker-" ID ".scope", "docker", ID, "", "docker-" ID ".scope" },
	{ "/docker/" ID, "docker", ID, "", "" },
	{ "/system.slice/docker-" ID ".scope/init.scope", "docker", ID, "", "init.scope" },
	{ "/system.slice/containerd.service/kubepods-besteffort-pod" UID_ ".slice:cri-containerd:" ID,
	  NULL, "", "", "containerd.service" },
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	  ".slice/cri-containerd-" ID ".scope", "containerd", ID, UID, "cri-containerd-" ID ".scope" },
	{ "/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" ID ".scope", "cri-o", ID, UID,
	  "crio-" ID ".scope" },
	{ "/kubepods.slice/kubepods-pod" UID_ ".slice/crio-conmon-" ID ".scope", NULL, "", UID,
	  "crio-conmon-" ID ".scope" },
	{ "/kubepods/besteffort/pod" UID "/" ID, "cri", ID, UID, "" },
	{ "/machine.slice/libpod-" ID ".scope/container", "podman", ID, "", "libpod-" ID ".scope" },
	{ "/system.slice/nginx.service", NULL, "", "", "nginx.service" },
	{ "/user.slice/user-1000.slice/session-2.scope", NULL, "", "", "session-2.scope" },
	{ "/", NULL, "", "", "" },
	/* one digit short, not hex, upper case, a pod outside kubepods */
	{ "/system.slice/docker-" "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa0011223344556677889"
	  ".scope", NULL, "", "", "docker-3f4e5d6c7b8a99887766554433221100ffeeddccbbaa0011223344556677889.scope" },
	{ "/docker/3F4E5D6C7B8A99887766554433221100FFEEDDCCBBAA00112233445566778899", NULL, "", "", "" },
	{ "/pod" UID "/" ID, NULL, "", "", "" },
	{ "/kubepods.slice/kubepods-pod" "0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1fz" ".slice", NULL, "", "", "" },
};

TEST(names_from_paths)
{
	struct cg_names n;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct want *w = &cases[i];

		cg_names_of(w->path, &n);
		TH_LOG("%s", w->path);
		if (w->runtime) {
			ASSERT_STREQ(w->runtime, n.runtime ?: "(none)");
		} else {
			ASSERT_EQ(NULL, n.runtime);
		}
		ASSERT_STREQ(w->container, n.container);
		ASSERT_STREQ(w->pod, n.pod);
		ASSERT_STREQ(w->unit, n.unit);
	}
}

TEST(a_path_longer_than_a_unit_name)
{
	char path[1024];
	struct cg_names n;

	memset(path, 'a', sizeof(path) - 8);
	memcpy(path, "/x/", 3);
	strcpy(path + sizeof(path) - 8, ".scope");
	cg_names_of(path, &n);
	ASSERT_STREQ("", n.unit);
	ASSERT_EQ(NULL, n.runtime);
}

TEST_HARNESS_MAIN
