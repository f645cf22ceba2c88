// Most of these tests wait on real time (a retry window, a schedule slot, a service starting) with the CPU idle, so
// twice as many classes as cores run at once; the ones that load the machine (20,000-recipient sends) share a class
// or two, so at most two of them overlap.
[assembly: CollectionBehavior(MaxParallelThreads = 4)]
