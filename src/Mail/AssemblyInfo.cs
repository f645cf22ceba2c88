namespace Newsletter.Mail;

/// <summary>Marker for the assembly; the mail library lives in Smtp/, Mime/, Dkim/, Encoding/.</summary>
internal static class AssemblyInfo;
