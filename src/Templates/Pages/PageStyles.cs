namespace Newsletter.Templates.Pages;

/// <summary>The CSS of the public pages (one &lt;style&gt; block, constant — never holds content). Light and dark palettes meet 4.5:1.</summary>
internal static class PageStyles
{
    public const string Css = """
        :root{color-scheme:light dark;--bg:#eef0f5;--card:#ffffff;--soft:#f5f6fa;--ink:#161b26;--muted:#4a5263;--border:#c9cfdb;
          --accent:#4338ca;--accent-ink:#ffffff;--ok:#166534;--err:#b42318;--focus:#1d4ed8;
          font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;}
        @media (prefers-color-scheme:dark){:root{--bg:#0e1117;--card:#171b23;--soft:#1f2430;--ink:#eef0f5;--muted:#b9c0cd;--border:#3a4252;
          --accent:#8b93ff;--accent-ink:#0e1117;--ok:#7ee2a4;--err:#ffaaa0;--focus:#b4bbff;}}
        *{box-sizing:border-box}
        html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
        body{margin:0;background:var(--bg);color:var(--ink);font-size:17px;line-height:1.6}
        a{color:var(--accent)}
        a:hover{text-decoration-thickness:2px}
        :focus-visible{outline:3px solid var(--focus);outline-offset:2px;border-radius:4px}
        .skip{position:absolute;left:-10000px;top:8px;background:var(--card);padding:8px 12px;z-index:10}
        .skip:focus{left:8px}
        .site{max-width:680px;margin:0 auto;padding:20px 20px 8px;display:flex;justify-content:space-between;align-items:center;gap:12px;flex-wrap:wrap}
        .brand{font-weight:800;color:var(--ink);text-decoration:none;font-size:17px}
        .brand span{color:var(--accent)}
        .site nav{display:flex;gap:16px}
        .site nav a{color:var(--muted);font-size:15px}
        main{max-width:680px;margin:0 auto;padding:8px 16px 24px}
        .card{background:var(--card);border-radius:14px;padding:32px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
        .card.wide{padding:0;overflow:hidden}
        h1{font-size:30px;line-height:1.2;margin:0 0 12px;letter-spacing:-.01em}
        h2{font-size:20px;line-height:1.3;margin:28px 0 8px}
        p{margin:0 0 14px}
        .lead{font-size:19px;color:var(--muted)}
        .muted{color:var(--muted);font-size:15px}
        .eyebrow{text-transform:uppercase;letter-spacing:.06em;font-size:13px;font-weight:700;color:var(--muted);margin:0 0 6px}
        .signup{margin:20px 0 0}
        .signup label{display:block;font-weight:600;margin:0 0 6px}
        .signup .row{display:flex;gap:10px;flex-wrap:wrap}
        .signup input[type=email]{flex:1 1 220px;min-width:0;font:inherit;padding:12px 14px;border:2px solid var(--border);border-radius:10px;background:var(--card);color:var(--ink)}
        .signup input[type=email]:focus-visible{border-color:var(--focus)}
        .signup input[aria-invalid=true]{border-color:var(--err)}
        button,.button{font:inherit;font-weight:700;padding:12px 22px;border:0;border-radius:10px;background:var(--accent);color:var(--accent-ink);cursor:pointer;text-decoration:none;display:inline-block}
        button:hover,.button:hover{filter:brightness(1.08)}
        button.secondary{background:transparent;color:var(--accent);border:2px solid var(--accent)}
        .consent{font-size:14px;color:var(--muted);margin:10px 0 0}
        .error{color:var(--err);font-weight:600;margin:10px 0 0}
        .status{margin:10px 0 0;font-weight:600}
        .status:empty{display:none}
        .status.ok{color:var(--ok)}
        .status.err{color:var(--err)}
        .hp{position:absolute!important;left:-10000px!important;width:1px;height:1px;overflow:hidden}
        .notice{border-left:4px solid var(--accent);padding:4px 0 4px 16px;margin:20px 0}
        .archive{list-style:none;margin:0;padding:0}
        .archive li{border-top:1px solid var(--border);padding:14px 0}
        .archive li:first-child{border-top:0}
        .archive a{font-weight:700;font-size:18px;text-decoration:none}
        .archive a:hover{text-decoration:underline}
        .archive time{display:block;color:var(--muted);font-size:14px}
        .edition-head{padding:24px 32px 8px}
        .edition-body{background:#eef0f5;color:#161b26}
        .edition-body .e-page{background-color:transparent}
        @media (prefers-color-scheme:dark){.edition-body{background:#0e1117;color:#eef0f5}}
        footer.site-foot{max-width:680px;margin:0 auto;padding:8px 20px 40px;color:var(--muted);font-size:14px}
        @media (max-width:480px){.card{padding:22px 18px}h1{font-size:25px}.edition-head{padding:20px 18px 4px}body{font-size:16px}}
        """;

    public const string StyleElement = "<style>" + Css + "</style>";
}
