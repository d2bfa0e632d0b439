namespace Keyward.LoadBench.SignIn;

/// <summary>One timed run of one operation: what the clients saw, and what Keyward's process spent meanwhile.</summary>
internal sealed record SignInSample(int Round, SignInOperation Operation, ClientResult Result, TimeSpan KeywardCpu, long KeywardAllocated, TimeSpan ClientCpu, double? MachineBusy)
{
    /// <summary>The most thread-pool threads in Keyward's process during the run.</summary>
    public int MaxThreadPoolThreads { get; init; }

    public double PerSecond => Result.Seconds > 0 ? Result.Operations / Result.Seconds : 0;

    /// <summary>Keyward's CPU per operation, in microseconds (the bench process: Keyward and little else).</summary>
    public double KeywardMicroseconds => PerOperation(KeywardCpu.TotalMicroseconds);

    /// <summary>Bytes Keyward's process allocated per operation (<see cref="GC.GetTotalAllocatedBytes(bool)"/>, precise).</summary>
    public double AllocatedBytes => PerOperation(KeywardAllocated);

    /// <summary>The clients' CPU per operation (their own process), for judging whether they were the bottleneck.</summary>
    public double ClientMicroseconds => PerOperation(ClientCpu.TotalMicroseconds);

    private double PerOperation(double total) => Result.Operations > 0 ? total / Result.Operations : 0;
}
