namespace Newsletter.TestSupport;

internal static class AssemblyInfo;
