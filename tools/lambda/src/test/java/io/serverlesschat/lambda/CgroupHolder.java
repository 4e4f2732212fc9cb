package io.serverlesschat.lambda;

import java.util.List;

/**
 * A stand-in for a benchmark, run as a process of its own by {@link CgroupsTest}: it makes a cgroup,
 * starts {@code sleep} in it, says which, and waits to be killed.
 */
public final class CgroupHolder {

    private CgroupHolder() {
    }

    public static void main(String[] args) throws Exception {
        Cgroups cgroups = Cgroups.detect();
        FunctionCgroup group = cgroups.create();
        group.limitMemory(128);
        Process sleeper = new ProcessBuilder(group.wrap(List.of("sleep", "600"))).start();
        while (group.pids().isEmpty()) {
            Thread.sleep(10);
        }
        System.out.println(group.name() + " " + sleeper.pid());
        System.out.flush();
        Thread.sleep(600_000);
    }
}
