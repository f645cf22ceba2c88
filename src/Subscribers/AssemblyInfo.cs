namespace Newsletter.Subscribers;

internal static class AssemblyInfo;
