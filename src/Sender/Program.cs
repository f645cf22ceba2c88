using Newsletter.Sender.Cli;

// The whole service is one process: HTTP endpoints, scheduler and delivery workers (see README).
// `Newsletter.Sender [serve] | migrate | import PATH... | hash-password`.
return await CommandLine.RunAsync(args);

public partial class Program;
