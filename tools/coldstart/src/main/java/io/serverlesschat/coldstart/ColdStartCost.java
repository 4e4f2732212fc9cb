package io.serverlesschat.coldstart;

/**
 * What one cold start costs in Lambda duration charges: since 2025-08-01 Lambda bills the init phase
 * too, so a cold start is billed init + invocation, rounded up to the millisecond, at the memory setting.
 * List prices of US East (N. Virginia), first tier, per GB-second, from the AWS Lambda pricing page (the
 * rates of August 2022, unchanged through 2026); the request charge ($0.20 per million) comes on top.
 */
public record ColdStartCost(int memoryMb, long billedMs, double gbSeconds, double usdX86, double usdArm64) {

    public static final double USD_PER_GB_SECOND_X86 = 0.0000166667;
    public static final double USD_PER_GB_SECOND_ARM64 = 0.0000133334;
    public static final String PRICES = "AWS Lambda list prices, us-east-1, first tier: $0.0000166667 per GB-s (x86_64),"
            + " $0.0000133334 per GB-s (arm64), as published since August 2022 and still in 2026; requests $0.20 per million"
            + " on top";

    /** The cost of a cold start of {@code wallMs} (init + invocation) at {@code memoryMb}. */
    public static ColdStartCost of(int memoryMb, double wallMs) {
        long billed = (long) Math.ceil(wallMs);
        double gbSeconds = memoryMb / 1024.0 * billed / 1000.0;
        return new ColdStartCost(memoryMb, billed, gbSeconds, gbSeconds * USD_PER_GB_SECOND_X86,
                gbSeconds * USD_PER_GB_SECOND_ARM64);
    }
}
