namespace Newsletter.Sender.Editions;

/// <summary>Fetches of the open pixel (only with <c>Tracking__Opens=On</c>).</summary>
public sealed record OpenCounts(long Total, long Machine);
