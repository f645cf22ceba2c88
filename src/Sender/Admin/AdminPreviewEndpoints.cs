using System.Globalization;
using Newsletter.Comparisons;
using Newsletter.Sender.Admin.Pages;
using Newsletter.Sender.Editions;
using Newsletter.Sender.Hosting;

namespace Newsletter.Sender.Admin;

/// <summary>The coming edition (<c>/admin/preview</c>): rendering, spam score, order and exclusions, test copies and sending it now.</summary>
internal static class AdminPreviewEndpoints
{
    public static RouteGroupBuilder MapAdminPreview(this RouteGroupBuilder admin)
    {
        var preview = admin.MapGroup("/preview").AddEndpointFilter(AdminTemplateEndpoints.ShowTemplateErrors);
        preview.MapGet("", PreviewAsync);
        preview.MapGet("/frame", FrameAsync);
        preview.MapGet("/spam", SpamAsync);
        preview.MapPost("/order", SaveOrderAsync);
        preview.MapPost("/test", SendTestAsync);
        preview.MapGet("/send", ConfirmSendAsync);
        preview.MapPost("/send", SendNowAsync);
        return admin;
    }

    private static async Task<IResult> PreviewAsync(HttpContext http, PreviewService preview, SiteInfoProvider site, string? tested, string? saved, CancellationToken ct)
    {
        var p = await preview.BuildAsync(ct);
        string? notice = null;
        if (int.TryParse(tested, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) notice = n == 1 ? "A test copy was sent." : $"{n} test copies were sent.";
        else if (saved == "1") notice = "Order and exclusions saved.";
        return PreviewPage(http, preview, site, p, notice, null, "", StatusCodes.Status200OK);
    }

    private static IResult PreviewPage(HttpContext http, PreviewService preview, SiteInfoProvider site, EditionPreview p, string? notice, string? error,
        string addresses, int status)
    {
        var model = new PreviewModel(p.Items, p.Rendered.Subject, p.Rendered.Preheader, p.NeutralText(site), preview.Headers(p), p.DraftId is not null,
            notice, error, addresses, PreviewService.MaxTestAddresses);
        return AdminResults.Page<PreviewPage>(http, "preview", new Dictionary<string, object?> { ["Model"] = model }, status);
    }

    private static async Task<IResult> FrameAsync(HttpContext http, PreviewService preview, SiteInfoProvider site, string? scheme, int? width, CancellationToken ct)
    {
        var p = await preview.BuildAsync(ct);
        var html = p.NeutralHtml(site);
        // The email's own dark palette is behind prefers-color-scheme: pin it to the scheme asked for.
        html = scheme == "dark"
            ? html.Replace("@media (prefers-color-scheme: dark)", "@media all", StringComparison.Ordinal).Replace(":root{color-scheme:light dark;", ":root{color-scheme:dark;", StringComparison.Ordinal)
            : html.Replace("@media (prefers-color-scheme: dark)", "@media not all", StringComparison.Ordinal).Replace(":root{color-scheme:light dark;", ":root{color-scheme:light;", StringComparison.Ordinal);
        _ = width; // the iframe's own width sets the viewport; accepted so the URL documents it
        http.Response.Headers.ContentSecurityPolicy = AdminSecurity.FrameCsp;
        http.Response.Headers.XFrameOptions = "SAMEORIGIN";
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }

    private static async Task<IResult> SpamAsync(HttpContext http, PreviewService preview, SpamCheck spam, CancellationToken ct)
    {
        var p = await preview.BuildAsync(ct);
        var model = await spam.RunAsync(preview.ComposeSample(p), p.Rendered.Subject, ct);
        return AdminResults.Page<SpamPage>(http, "preview", new Dictionary<string, object?> { ["Model"] = model });
    }

    private static async Task<IResult> SaveOrderAsync(HttpContext http, PreviewService preview, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var ids = form["id"].Select(v => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1).Where(id => id > 0).ToList();
        var included = form["include"].Select(v => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1).ToHashSet();
        var positions = ids.Select((id, i) => (id, pos: int.TryParse(form[$"position-{id}"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : i + 1, i));
        // "Move up/down" buttons post move=ID:up|down; otherwise the position fields decide.
        var order = positions.OrderBy(x => x.pos).ThenBy(x => x.i).Select(x => x.id).ToList();
        var move = form["move"].ToString().Split(':');
        if (move.Length == 2 && long.TryParse(move[0], NumberStyles.None, CultureInfo.InvariantCulture, out var moving) && ids.IndexOf(moving) is var at and >= 0)
        {
            order = [.. ids];
            var to = move[1] == "up" ? at - 1 : at + 1;
            if (to >= 0 && to < order.Count) (order[at], order[to]) = (order[to], order[at]);
        }
        try
        {
            await preview.SaveOrderAsync(order, ids.Where(id => !included.Contains(id)).ToList(), ct);
        }
        catch (EditionComparisonsException e)
        {
            return AdminResults.Message(http, StatusCodes.Status409Conflict, "The order could not be saved", e.Message, "/admin/preview", "Back to the preview");
        }
        return AdminResults.SeeOther("/admin/preview?saved=1");
    }

    private static async Task<IResult> SendTestAsync(HttpContext http, PreviewService preview, SiteInfoProvider site, ILoggerFactory logs, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var input = form["addresses"].ToString();
        var (addresses, error) = PreviewService.ParseAddresses(input);
        var p = await preview.BuildAsync(ct);
        if (error is not null) return PreviewPage(http, preview, site, p, null, error, input, StatusCodes.Status400BadRequest);
        if (p.Included.Count == 0)
            return PreviewPage(http, preview, site, p, null, "There is nothing to send: no comparison is selected.", input, StatusCodes.Status409Conflict);
        try
        {
            await preview.SendTestAsync(p, addresses, ct);
        }
        catch (Exception e) when (e is Mail.MailException or IOException)
        {
            logs.CreateLogger("Newsletter.Admin").LogWarning(e, "test send failed");
            return PreviewPage(http, preview, site, p, null, "The mail server refused the test: " + e.Message, input, StatusCodes.Status502BadGateway);
        }
        return AdminResults.SeeOther("/admin/preview?tested=" + addresses.Count.ToString(CultureInfo.InvariantCulture));
    }

    private static async Task<IResult> ConfirmSendAsync(HttpContext http, PreviewService preview, Newsletter.Subscribers.SubscriberAdmin subscribers, CancellationToken ct)
    {
        var p = await preview.BuildAsync(ct);
        var model = await SendModelAsync(subscribers, p, ct);
        return AdminResults.Page<SendConfirmPage>(http, "preview", new Dictionary<string, object?> { ["Model"] = model });
    }

    private static async Task<SendConfirmModel> SendModelAsync(Newsletter.Subscribers.SubscriberAdmin subscribers, EditionPreview p, CancellationToken ct)
    {
        var confirmed = (await subscribers.CountByStatusAsync(ct)).First(s => s.Status == Newsletter.Subscribers.SubscriberStatus.Confirmed).Count;
        // Send-now sends the admin's order without the excluded ones (EditionService.StartDraftAsync).
        var items = p.Items.Where(i => !i.Excluded).ToList();
        var subject = Templates.EmailRenderer.EditionSubject(p.Included.Select(s => s.Comparison).ToList());
        return new SendConfirmModel(items, subject, confirmed);
    }

    private static async Task<IResult> SendNowAsync(HttpContext http, PreviewService preview, EditionService editions, DeliverySignal signal, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        if (form["confirm"] != "yes")
            return AdminResults.Message(http, StatusCodes.Status400BadRequest, "Not sent", "Tick the confirmation box to send the edition.", "/admin/preview/send", "Back");
        var p = await preview.BuildAsync(ct);
        // The admin's stored order and exclusions go out when there is a draft; otherwise the default selection.
        var edition = p.DraftId is { } draft
            ? await editions.StartDraftAsync(draft, ct)
            : await editions.CreateAndStartAsync(slot: null, ct);
        if (edition.State == EditionState.Failed)
            return AdminResults.Message(http, StatusCodes.Status422UnprocessableEntity, "The email template cannot be rendered",
                $"Edition {edition.Id} failed: {edition.Reason}. Nothing was sent.", "/admin/templates", "Templates");
        signal.Poke();
        return AdminResults.SeeOther($"/admin/editions/{edition.Id}");
    }
}
