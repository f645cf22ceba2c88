using Newsletter.Database;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Newsletter.Bench;
using Npgsql;

// Send.Bench: a real edition through the service's real pipeline (a separate service process: database claims,
// per-recipient personal values, DKIM when asked, recorded outcomes) to Postfix's smtp-sink, against smtp-source
// (40 KB messages, 16 reused connections) in the same run.
// Usage: dotnet run -c Release --project bench/Send.Bench -- [--recipients N] [--dkim] [--reference-messages M]
//        [--tracking Off|Anonymous|Individual]   click tracking of the edition (default Anonymous, the service's default)
//        [--comparisons seeds|samples]   seeds (default): the three sample pages in ../shared/seeds, imported as page
//                                        text; samples: the six JSON comparisons in samples/comparisons
//        [--settle S]                    wait S seconds after the service is up before the trigger (a service that has run
//                                        a while: its start-up template compile let go), and measure the peak from there
//        [--metrics]                     OpenTelemetry metrics on (Metrics__Port, scraped once a second during the send);
//                                        off by default, so a run with and one without show what counting costs
var recipients = 100_000;
string? comparisonSet = null;
var dkim = false;
var metrics = false;
var settle = 0;
var referenceMessages = 50_000;
var tracking = "Anonymous";
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--recipients": recipients = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--dkim": dkim = true; break;
        case "--metrics": metrics = true; break;
        case "--settle": settle = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--reference-messages": referenceMessages = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--comparisons": comparisonSet = args[++i]; break;
        case "--tracking": tracking = args[++i]; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}
var root = FindRoot();
var seeds = Path.GetFullPath(Path.Combine(root, "..", "shared", "seeds"));
comparisonSet ??= Directory.Exists(seeds) ? "seeds" : "samples";
if (comparisonSet is not ("seeds" or "samples")) { Console.Error.WriteLine("--comparisons must be seeds or samples"); return 2; }
var work = Path.Combine(Path.GetTempPath(), "newsletter-send-bench");
if (Directory.Exists(work)) { Run("bash", $"\"{root}/scripts/pg.sh\" stop \"{work}/pg\""); Directory.Delete(work, true); }
Directory.CreateDirectory(work);
Run("chmod", $"755 \"{work}\"");

Console.WriteLine($"Send.Bench: {recipients:N0} recipients, DKIM {(dkim ? "on (RSA-2048)" : "off")}, click tracking {tracking}, metrics {(metrics ? "on" : "off")}, comparisons: {comparisonSet}, {Environment.ProcessorCount} cores");
var admin = Run("bash", $"\"{root}/scripts/pg.sh\" start \"{work}/pg\"").Trim().Split('\n')[^1];
var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = "bench" }.ConnectionString;
Process? sink = null, service = null;
try
{
    await using (var a = new NpgsqlConnection(admin))
    {
        await a.OpenAsync();
        await new NpgsqlCommand("create database bench", a).ExecuteNonQueryAsync();
    }
    await using var db = NpgsqlDataSource.Create(connectionString);
    await Migrator.MigrateAsync(db);
    if (Environment.GetEnvironmentVariable("BENCH_PG_STATEMENTS") is not null)
        await using (var c = db.CreateCommand("create extension if not exists pg_stat_statements")) await c.ExecuteNonQueryAsync();
    var sw = Stopwatch.StartNew();
    await using (var c = db.CreateCommand(
        """
        insert into subscribers (email, email_key, status, confirmed_at)
        select 'reader' || g || '@example.com', 'reader' || g || '@example.com', 'confirmed', now() from generate_series(1, $1) g
        """))
    {
        c.Parameters.AddWithValue(recipients);
        c.CommandTimeout = 600;
        await c.ExecuteNonQueryAsync();
    }
    Console.WriteLine($"created {recipients:N0} confirmed subscribers in {sw.Elapsed.TotalSeconds:F1} s");
    // Settle the database before the first reference run, so autovacuum of the new rows and the checkpoint they cause
    // cannot compete with smtp-source (a low reference flatters our ratio). The first reference still often runs
    // slower than the one after the send (3,079 against 5,386 msg/s on 2026-11-30, with the database settled): the
    // machine is shared, which is why the ratio uses the mean of the two.
    await using (var c = db.CreateCommand("vacuum analyze subscribers")) { c.CommandTimeout = 600; await c.ExecuteNonQueryAsync(); }
    await using (var c = db.CreateCommand("checkpoint")) { c.CommandTimeout = 600; await c.ExecuteNonQueryAsync(); }

    var sinkPort = FreePort();
    // smtp-source's rate for messages of the given size over 16 reused connections to our smtp-sink.
    double SmtpSourceRate(long size)
    {
        var watch = Stopwatch.StartNew();
        Run("/usr/sbin/smtp-source", $"-d -s 16 -l {size} -m {referenceMessages} -f bench@example.com -t sink@example.com 127.0.0.1:{sinkPort}");
        return referenceMessages / watch.Elapsed.TotalSeconds;
    }
    sink = Start("/usr/sbin/smtp-sink", ["-u", "nobody", $"127.0.0.1:{sinkPort}", "1000"], null);
    WaitListening(sinkPort);

    // Reference: smtp-source, 40 KB messages over 16 reused connections.
    var sourceRate = SmtpSourceRate(40_000);
    Console.WriteLine($"smtp-source -d -s 16 -l 40000: {referenceMessages:N0} messages at {sourceRate:F0} msgs/s");

    var servicePort = FreePort();
    const string apiKey = "bench-api-key-0123456789-abcdefghijklmnopqrstuvwxyz";
    var env = new Dictionary<string, string>
    {
        ["ConnectionStrings__Newsletter"] = connectionString,
        ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{servicePort}",
        ["Site__BaseUrl"] = "https://news.example.com",
        ["Site__ComparisonBaseUrl"] = "https://compare.example.com",
        ["Newsletter__FromAddress"] = "verdicts@news.example.com",
        ["Newsletter__PostalAddress"] = "1 Bench Street, Benchville 12345",
        ["Api__Keys__0"] = apiKey,
        ["Subscribers__UnsubscribeKeys__0"] = "bench-unsubscribe-key-0123456789-abcdefghijklmnop",
        ["Subscribers__SuppressionKey"] = "bench-suppression-key-0123456789-abcdefghijklmnop",
        ["Smtp__Mode"] = "Smtp",
        ["Smtp__Host"] = "127.0.0.1",
        ["Smtp__Port"] = sinkPort.ToString(CultureInfo.InvariantCulture),
        ["Smtp__Security"] = "None",
        ["Smtp__MaxConnections"] = "16",
        ["Schedule__Enabled"] = "false",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Tracking__Clicks"] = tracking,
    };
    if (dkim)
    {
        using var key = RSA.Create(2048);
        var pem = Path.Combine(work, "dkim.pem");
        await File.WriteAllTextAsync(pem, key.ExportPkcs8PrivateKeyPem());
        env["Dkim__Domain"] = "news.example.com";
        env["Dkim__Selector"] = "bench";
        env["Dkim__PrivateKeyFile"] = pem;
    }
    var metricsPort = FreePort();
    if (metrics) env["Metrics__Port"] = metricsPort.ToString(CultureInfo.InvariantCulture);
    service = Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "Newsletter.Sender.dll"), "serve"], env);
    using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{servicePort}") };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    await WaitHealthy(http, service);

    // The edition's comparisons, published five minutes ago so the edition carries all of them: the three sample pages
    // (page text, as the site would post them), or the six JSON samples.
    var publishedAt = DateTimeOffset.UtcNow.AddMinutes(-5);
    if (comparisonSet == "seeds")
    {
        foreach (var file in Directory.GetFiles(seeds, "*.txt").Order())
        {
            using var r = await http.PostAsync($"/api/comparisons?publishedAt={Uri.EscapeDataString(publishedAt.ToString("O"))}",
                new StringContent(await File.ReadAllTextAsync(file), Encoding.UTF8, "text/plain"));
            if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"comparison import failed: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        }
    }
    else
    {
        foreach (var file in Directory.GetFiles(Path.Combine(root, "samples", "comparisons"), "*.json"))
        {
            var json = System.Text.RegularExpressions.Regex.Replace(await File.ReadAllTextAsync(file),
                "\"publishedAt\":\\s*\"[^\"]+\"", $"\"publishedAt\": \"{publishedAt:O}\"");
            using var r = await http.PostAsync("/api/comparisons", new StringContent(json, Encoding.UTF8, "application/json"));
            if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"comparison import failed: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        }
    }

    // The bench cluster's postmaster and its live children, plus (its cutime/cstime) every child that already exited.
    var postmaster = int.Parse(File.ReadLines(Path.Combine(work, "pg", "data", "postmaster.pid")).First(), CultureInfo.InvariantCulture);
    double DatabaseCpu() => Directory.GetDirectories("/proc").Select(d => Path.GetFileName(d)).Where(n => n.All(char.IsAsciiDigit))
        .Select(int.Parse).Where(pid => pid == postmaster || ParentOf(pid) == postmaster).Sum(pid => ProcStat.CpuSeconds(pid))
        + ProcStat.CpuSeconds(postmaster, children: true);
    // With DKIM the RSA signature is most of a message's CPU, and this shared machine's speed for it drifts (the same
    // `openssl speed rsa2048` measured 0.26 and 0.66 ms minutes apart): time it now, in this process, so each run shows
    // the cost its own figures were made with.
    var rsaMs = dkim ? RsaSignatureMs() : 0;
    long startupPeak = 0;
    if (settle > 0)
    {
        await Task.Delay(TimeSpan.FromSeconds(settle));
        startupPeak = PeakRss(service.Id);
        // Writing 5 to clear_refs resets the kernel's high-water mark (VmHWM), so the peak below is the send's own.
        File.WriteAllText($"/proc/{service.Id}/clear_refs", "5");
        Console.WriteLine($"settled {settle} s: RSS {CurrentRss(service.Id) / 1024 / 1024} MB (peak since start {startupPeak / 1024 / 1024} MB)");
    }
    var serviceCpuAtTrigger = ProcStat.CpuSeconds(service.Id);
    var machineAtTrigger = ProcStat.MachineTicks();
    var serviceSystemCpuAtTrigger = ProcStat.CpuSeconds(service.Id, systemOnly: true);
    var sinkCpuAtTrigger = ProcStat.CpuSeconds(sink.Id);
    var databaseCpuAtTrigger = DatabaseCpu();
    var trigger = Stopwatch.StartNew();
    var triggeredAt = DateTimeOffset.UtcNow;
    long editionId;
    using (var r = await http.PostAsync("/api/editions/send-now", null))
    {
        var body = await r.Content.ReadAsStringAsync();
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"send-now failed: {(int)r.StatusCode} {body}");
        editionId = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();
    }
    var created = trigger.Elapsed;
    // With --metrics a scraper reads /metrics once a second for the whole send, as Prometheus would.
    using var scraping = new CancellationTokenSource();
    var scrapes = 0;
    var scraper = !metrics ? Task.CompletedTask : Task.Run(async () =>
    {
        using var scrape = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
        while (!scraping.IsCancellationRequested)
        {
            try
            {
                _ = await scrape.GetStringAsync("/metrics", scraping.Token);
                scrapes++;
                await Task.Delay(1000, scraping.Token);
            }
            catch (OperationCanceledException) { break; }
        }
    });
    long peakRss = 0;
    var lastReport = TimeSpan.Zero;
    // Cheap polls (one editions row) so the benchmark itself does not load the database it measures; a count of
    // the deliveries only every 30 s for the progress line (it reads every delivery: 250 ms at 1,000,000 recipients,
    // which every 10 s came to 6 s of the database's CPU in a send).
    while (true)
    {
        await using (var c = db.CreateCommand("select state from editions where id = $1"))
        {
            c.Parameters.AddWithValue(editionId);
            var state = (string)(await c.ExecuteScalarAsync())!;
            if (state != "sending") { if (state != "sent") throw new InvalidOperationException($"edition ended {state}"); break; }
        }
        peakRss = Math.Max(peakRss, PeakRss(service.Id));
        if (trigger.Elapsed - lastReport > TimeSpan.FromSeconds(30))
        {
            lastReport = trigger.Elapsed;
            await using var c = db.CreateCommand("select count(*) from deliveries where state = 'sent'");
            Console.WriteLine($"  {trigger.Elapsed.TotalSeconds,6:F0} s: {(long)(await c.ExecuteScalarAsync())!:N0} sent, RSS peak {peakRss / 1024 / 1024} MB");
        }
        if (service.HasExited) throw new InvalidOperationException("service exited");
        await Task.Delay(200);
    }
    await scraping.CancelAsync();
    await scraper;
    if (metrics) Console.WriteLine($"  /metrics scraped {scrapes} times during the send");
    peakRss = Math.Max(peakRss, PeakRss(service.Id));
    var machineAtEnd = ProcStat.MachineTicks();
    long sent;
    TimeSpan first, total;
    await using (var c = db.CreateCommand("select count(*), min(sent_at), max(sent_at) from deliveries where state = 'sent'"))
    await using (var reader = await c.ExecuteReaderAsync())
    {
        await reader.ReadAsync();
        sent = reader.GetInt64(0);
        first = new DateTimeOffset(reader.GetDateTime(1)) - triggeredAt;
        total = new DateTimeOffset(reader.GetDateTime(2)) - triggeredAt;
    }
    // CPU seconds spent by each party during the send: now minus what each had used at the trigger (smtp-sink served
    // the first reference run, PostgreSQL created the subscribers, the service started up).
    var serviceCpu = ProcStat.CpuSeconds(service.Id) - serviceCpuAtTrigger;
    var serviceSystemCpu = ProcStat.CpuSeconds(service.Id, systemOnly: true) - serviceSystemCpuAtTrigger;
    var sinkCpu = ProcStat.CpuSeconds(sink.Id) - sinkCpuAtTrigger;
    var databaseCpu = DatabaseCpu() - databaseCpuAtTrigger;
    if (Environment.GetEnvironmentVariable("BENCH_PG_STATEMENTS") is not null)
    {
        // Where the database's time went (needs PG_OPTIONS="-c shared_preload_libraries=pg_stat_statements").
        await using var c = db.CreateCommand(
            "select round(total_exec_time)::bigint, calls, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 150) from pg_stat_statements order by total_exec_time desc limit 12");
        await using var reader = await c.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            Console.WriteLine($"  pg {reader.GetInt64(0),8} ms {reader.GetInt64(1),8} calls {reader.GetInt64(2),9} rows  {reader.GetString(3)}");
        await reader.DisposeAsync();
        await using var w = db.CreateCommand(
            """
            select 'wal: ' || wal_records || ' records, ' || wal_fpi || ' full pages, ' || pg_size_pretty(wal_bytes) || '; deliveries: '
                   || (select autovacuum_count || ' autovacuums, ' || autoanalyze_count || ' autoanalyzes, ' || n_tup_hot_upd || ' HOT of ' || n_tup_upd || ' updates'
                       from pg_stat_user_tables where relname = 'deliveries')
            from pg_stat_wal
            """);
        Console.WriteLine("  pg " + await w.ExecuteScalarAsync());
    }
    var messageSize = await MessageSizeAsync(db);
    var ours = sent / total.TotalSeconds;
    service.Kill(true);
    // Second reference: smtp-source with messages as large as ours, so the ratio compares like with like.
    var sameSizeRate = SmtpSourceRate(messageSize);
    // The 40 KB reference once more after our run: this machine is shared, and one short reference run can land in a
    // quiet or a busy moment. The ratio uses the mean of the two.
    var sourceRateAfter = SmtpSourceRate(40_000);
    var sourceRateMean = (sourceRate + sourceRateAfter) / 2;
    Console.WriteLine();
    Console.WriteLine($"edition: {sent:N0} delivered, message size {messageSize / 1024.0:F1} KB (MIME-encoded, before DKIM)");
    Console.WriteLine($"{"figure",-52} {"value",10}");
    Console.WriteLine($"{"ours msgs/s (trigger to last message)",-52} {ours,10:F0}");
    Console.WriteLine($"{"smtp-source -s 16 -l 40000 msgs/s (before / after)",-52} {sourceRate,10:F0} / {sourceRateAfter:F0}");
    Console.WriteLine($"{"ratio ours / smtp-source (40 KB, mean of the two)",-52} {ours / sourceRateMean,10:F2}   target {(dkim ? "≥ 0.50" : "≥ 0.60")}");
    Console.WriteLine($"{$"smtp-source -s 16 -l {messageSize} msgs/s (our size)",-52} {sameSizeRate,10:F0}");
    Console.WriteLine($"{"ratio ours / smtp-source (same size)",-52} {ours / sameSizeRate,10:F2}   target {(dkim ? "≥ 0.50" : "≥ 0.60")}");
    Console.WriteLine($"{(settle > 0 ? "peak RSS of the service during the send" : "peak RSS of the service"),-52} {peakRss / 1024.0 / 1024.0,7:F0} MB");
    Console.WriteLine($"{"CPU s per 1,000 messages: service / database / smtp-sink",-52} {serviceCpu * 1000 / sent,6:F2} / {databaseCpu * 1000 / sent:F2} / {sinkCpu * 1000 / sent:F2}");
    Console.WriteLine($"{"  of the service's: in the kernel (system calls, TCP)",-52} {serviceSystemCpu * 1000 / sent,6:F2}");
    // The whole machine from the trigger to the end of the send (every process, interrupts included): how busy the cores
    // were, and the CPU a message cost in all. Against the target that is the budget: with every core busy, a ratio of
    // `target` allows cores / (target × smtp-source's rate) of CPU a message.
    var busyTicks = machineAtEnd.Busy - machineAtTrigger.Busy;
    var cores = Environment.ProcessorCount;
    var target = dkim ? 0.5 : 0.6;
    Console.WriteLine($"{"cores busy during the send (whole machine)",-52} {ProcStat.CoresBusy(machineAtTrigger, machineAtEnd),6:F2} of {cores}");
    Console.WriteLine($"{"CPU s per 1,000 messages, whole machine",-52} {busyTicks / 100.0 * 1000 / sent,6:F2}   at the target with every core busy: {cores * 1000 / (target * sourceRateMean):F2}");
    if (dkim) Console.WriteLine($"{"RSA-2048 signature before the send, one thread",-52} {rsaMs,6:F3} ms");
    Console.WriteLine($"{"edition created (send-now answered)",-52} {created.TotalSeconds,9:F2} s");
    Console.WriteLine($"{"trigger to first message",-52} {first.TotalSeconds,9:F2} s");
    return 0;
}
finally
{
    if (service is { HasExited: false }) { service.Kill(true); service.WaitForExit(); }
    if (sink is { HasExited: false }) { sink.Kill(true); sink.WaitForExit(); }
    Run("bash", $"\"{root}/scripts/pg.sh\" stop \"{work}/pg\"");
}

// Milliseconds one RSA-2048 PKCS#1 SHA-256 signature takes on this machine now (one thread, best of five 200 ms rounds).
static double RsaSignatureMs()
{
    using var key = RSA.Create(2048);
    var hash = SHA256.HashData("bench"u8);
    var signature = new byte[256];
    for (var i = 0; i < 200; i++) key.TrySignHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, out _);
    var best = double.MaxValue;
    for (var round = 0; round < 5; round++)
    {
        var watch = Stopwatch.StartNew();
        var n = 0;
        while (watch.ElapsedMilliseconds < 200)
        {
            key.TrySignHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, out _);
            n++;
        }
        best = Math.Min(best, watch.Elapsed.TotalMilliseconds / n);
    }
    return best;
}

static async Task<long> MessageSizeAsync(NpgsqlDataSource db)
{
    // The MIME size of one recipient's copy: compose the stored render the way the engine does.
    await using var c = db.CreateCommand("select subject, html, text_body from editions order by id desc limit 1");
    await using var r = await c.ExecuteReaderAsync();
    await r.ReadAsync();
    var message = new Newsletter.Mail.Mime.EmailMessage
    {
        From = new Newsletter.Mail.Mailbox("Weekly AI Tool Verdicts", Newsletter.Mail.EmailAddress.Parse("verdicts@news.example.com")),
        Subject = r.GetString(0),
        HtmlBody = r.GetString(1),
        TextBody = r.GetString(2),
        MessageId = "edition-1.subscriber-1@news.example.com",
    };
    message.To.Add(new Newsletter.Mail.Mailbox(null, Newsletter.Mail.EmailAddress.Parse("reader1@example.com")));
    return message.ToArray().Length;
}

static int ParentOf(int pid)
{
    try
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("PPid:", StringComparison.Ordinal)) return int.Parse(line[5..].Trim(), CultureInfo.InvariantCulture);
    }
    catch (IOException) { }
    return 0;
}

static long CurrentRss(int pid)
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    return 0;
}

static long PeakRss(int pid)
{
    try
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
    catch (IOException) { }
    return 0;
}

static async Task WaitHealthy(HttpClient http, Process service)
{
    for (var i = 0; i < 300; i++)
    {
        if (service.HasExited) throw new InvalidOperationException("service exited at start");
        try { using var r = await http.GetAsync("/healthz"); if (r.IsSuccessStatusCode) return; }
        catch (HttpRequestException) { }
        await Task.Delay(200);
    }
    throw new TimeoutException("service did not start");
}

static Process Start(string file, string[] args, Dictionary<string, string>? env)
{
    var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in args) info.ArgumentList.Add(a);
    if (env is not null) foreach (var (k, v) in env) info.Environment[k] = v;
    var p = Process.Start(info)!;
    p.OutputDataReceived += (_, e) => { if (!string.IsNullOrEmpty(e.Data)) Console.Error.WriteLine("  | " + e.Data); };
    p.ErrorDataReceived += (_, e) => { if (!string.IsNullOrEmpty(e.Data)) Console.Error.WriteLine("  | " + e.Data); };
    p.BeginOutputReadLine();
    p.BeginErrorReadLine();
    return p;
}

static string Run(string file, string arguments)
{
    var info = new ProcessStartInfo(file, arguments) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
    using var p = Process.Start(info)!;
    var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments} failed: {output}");
    return output;
}

static int FreePort()
{
    using var l = new TcpListener(IPAddress.Loopback, 0);
    l.Start();
    return ((IPEndPoint)l.LocalEndpoint).Port;
}

static void WaitListening(int port)
{
    for (var i = 0; i < 100; i++)
    {
        try { using var c = new TcpClient(); c.Connect(IPAddress.Loopback, port); return; }
        catch (SocketException) { Thread.Sleep(50); }
    }
    throw new TimeoutException("smtp-sink did not listen");
}

static string FindRoot()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "Newsletter.sln"))) return d.FullName;
    throw new InvalidOperationException("Newsletter.sln not found");
}
