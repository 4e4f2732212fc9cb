package io.serverlesschat.lambda;

/** Which cgroup hierarchy a machine mounts: v1 (a mount per controller) or v2 (one unified mount). */
public enum CgroupVersion {
    V1, V2
}
