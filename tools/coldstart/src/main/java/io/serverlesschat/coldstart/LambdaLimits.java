package io.serverlesschat.coldstart;

import java.util.Locale;

/**
 * The CPU and memory Lambda gives a function of {@code memoryMb}, as a local run imposes them on the
 * function's process through a cgroup: a memory limit of {@code memoryMb} and CPU in proportion to it,
 * one vCPU at 1,769 MB (AWS, "Configure Lambda function memory"), as a CFS quota per 100 ms period.
 * {@code initCpu} says whether the init phase gets that share too or runs unthrottled. Without
 * {@code enforced} nothing is imposed: the function only gets the memory setting in its environment (and
 * the JVM its heap).
 */
public record LambdaLimits(int memoryMb, boolean enforced, InitCpu initCpu) {

    /** Memory that buys one vCPU. */
    public static final int MB_PER_VCPU = 1769;

    /** How much CPU the init phase (exec to the first /next poll) gets. */
    public enum InitCpu {
        /** The memory's share from exec on: the whole cold start throttled. */
        SHARE,
        /** Init unthrottled (every core of this machine); the share from the first /next poll on. */
        BURST;

        String option() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The vCPUs Lambda gives this memory setting. */
    public double vcpus() {
        return (double) memoryMb / MB_PER_VCPU;
    }

    /** The CFS quota per 100,000 us period for {@link #vcpus()}. */
    public long quotaUs() {
        return Math.round(vcpus() * 100_000);
    }

    /** "256MB", or "256MB-unlimited" when nothing is imposed: the last part of a variant's key. */
    public String label() {
        return memoryMb + "MB" + (enforced ? "" : "-unlimited");
    }

    /** One line for results.json and the report. */
    public String describe() {
        if (!enforced) {
            return "none: memory setting " + memoryMb + " MB in the environment and the JVM heap only; CPU and memory unlimited";
        }
        return String.format(Locale.ROOT, "%.3f vCPU (CFS quota %,d us per 100,000 us)%s; memory limit %d MB, no swap",
                vcpus(), quotaUs(), initCpu == InitCpu.BURST ? " from the first /next on, init unthrottled" : " from exec on",
                memoryMb);
    }
}
