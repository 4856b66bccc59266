import Testing

/// Hostile message texts in the spirit of the OWASP XSS Filter Evasion Cheat Sheet: raw HTML in
/// every casing and shape, event handlers, script-bearing schemes in Markdown links, reference
/// links, autolinks and images, encoded and split schemes, NUL bytes, broken and nested tags,
/// comments, CDATA, and HTML hidden in code, quotes, lists, headings and tables. No rendering of
/// any of them may hold markup outside the message format's allowlist (`MessageFormatTests`).
enum XSSCorpus {
    /// One hostile text and what it tries.
    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        let text: String
        var testDescription: String { label }
    }

    static let cases: [Case] = scriptTags + eventHandlers + markdownLinks + referenceLinks + autolinks + images
        + embeddedContent + codeAndComments + brokenMarkup + encodedSchemes + blockContexts

    static let scriptTags: [Case] = [
        Case(label: "script tag", text: "<script>alert(1)</script>"),
        Case(label: "SCRIPT in capitals", text: "<SCRIPT>alert(1)</SCRIPT>"),
        Case(label: "ScRiPt in mixed case", text: "<ScRiPt>alert(1)</sCrIpT>"),
        Case(label: "script with a source", text: "<script src=https://evil.example/x.js></script>"),
        Case(label: "script after a stray <", text: "<<script>alert(1)//<</script>"),
        Case(label: "script with a slash for a space", text: #"<script/xss src="https://evil.example/x.js"></script>"#),
        Case(label: "script split by script", text: "<scr<script>ipt>alert(1)</scr</script>ipt>"),
        Case(label: "script inside a sentence", text: "hello <script>alert(1)</script> world"),
        Case(label: "script after a NUL", text: "\u{0}<script>alert(1)</script>"),
        Case(label: "script name split by a NUL", text: "<scr\u{0}ipt>alert(1)</scr\u{0}ipt>"),
        Case(label: "script inside svg", text: "<svg><script>alert(1)</script></svg>"),
        Case(label: "attribute breakout then script", text: #""><script>alert(1)</script>"#),
        Case(label: "single-quote breakout then script", text: "'><script>alert(1)</script>"),
    ]

    static let eventHandlers: [Case] = [
        Case(label: "img onerror", text: "<img src=x onerror=alert(1)>"),
        Case(label: "IMG ONERROR in capitals", text: #"<IMG SRC=x ONERROR="alert(1)">"#),
        Case(label: "svg onload", text: "<svg onload=alert(1)>"),
        Case(label: "svg/onload without a space", text: "<svg/onload=alert(1)>"),
        Case(label: "body onload", text: "<body onload=alert(1)>"),
        Case(label: "div onmouseover", text: #"<div onmouseover="alert(1)">hover me</div>"#),
        Case(label: "a good link with onclick", text: #"<a href="https://ok.example" onclick="alert(1)">x</a>"#),
        Case(label: "onerror with an entity-encoded body", text: #"<img src="x" onerror="&#97;&#108;&#101;&#114;&#116;(1)">"#),
        Case(label: "input autofocus onfocus", text: "<input autofocus onfocus=alert(1)>"),
        Case(label: "details ontoggle", text: "<details open ontoggle=alert(1)>"),
        Case(label: "source onerror in video", text: "<video><source onerror=alert(1)></video>"),
        Case(label: "unknown tag with onclick", text: "<x onclick=alert(1)>click me"),
        Case(label: "img onerror in bold", text: "**<img src=x onerror=alert(1)>**"),
    ]

    static let markdownLinks: [Case] = [
        Case(label: "javascript: link", text: "[click](javascript:alert(1))"),
        Case(label: "JaVaScRiPt: link", text: "[click](JaVaScRiPt:alert(1))"),
        Case(label: "JAVASCRIPT: link", text: "[click](JAVASCRIPT:alert(1))"),
        Case(label: "javascript: after a space", text: "[click]( javascript:alert(1))"),
        Case(label: "javascript: with a title", text: #"[click](javascript:alert(1) "title")"#),
        Case(label: "javascript: with a tab in it", text: "[click](java\tscript:alert(1))"),
        Case(label: "javascript: after a NUL", text: "[click](\u{0}javascript:alert(1))"),
        Case(label: "vbscript: link", text: "[click](vbscript:msgbox(1))"),
        Case(label: "data: link", text: "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
        Case(label: "javascript:// with an encoded newline", text: "[click](javascript://%0Aalert(1))"),
        Case(label: "quote breakout in the address", text: #"[click](https://ok.example" onmouseover="alert(1))"#),
        Case(label: "quote breakout in the title", text: #"[click](https://ok.example "t" onmouseover="alert(1)")"#),
        Case(label: "single-quoted title breakout", text: "[click](https://ok.example 'a' onclick='alert(1)')"),
        Case(label: "img onerror as link text", text: "[<img src=x onerror=alert(1)>](https://ok.example)"),
        Case(label: "good link then img onerror", text: "[x](https://ok.example)<img src=x onerror=alert(1)>"),
    ]

    static let referenceLinks: [Case] = [
        Case(label: "reference to javascript:", text: "[click][evil]\n\n[evil]: javascript:alert(1)"),
        Case(label: "undefined reference named javascript:", text: "[click][javascript:alert(1)]"),
        Case(label: "reference with a quote breakout", text: "[click][evil]\n\n[evil]: https://ok.example\" onclick=\"alert(1)"),
        Case(label: "reference to data: with a script", text: "[click][x]\n\n[x]: data:text/html,<script>alert(1)</script>"),
        Case(label: "reference to entity-encoded javascript:", text: "[click][x]\n\n[x]: &#x6A;avascript:alert(1)"),
    ]

    static let autolinks: [Case] = [
        Case(label: "javascript: autolink", text: "<javascript:alert(1)>"),
        Case(label: "vbscript: autolink", text: "<vbscript:msgbox(1)>"),
        Case(label: "data: autolink holding a script", text: "<data:text/html,<script>alert(1)</script>>"),
        Case(label: "autolink with a quote breakout", text: #"<https://ok.example/"onmouseover="alert(1)>"#),
        Case(label: "bare URL followed by a script", text: "https://ok.example/<script>alert(1)</script>"),
        Case(label: "mailto autolink with a breakout", text: #"<mailto:a@b.example?subject="><script>alert(1)</script>>"#),
        Case(label: "bare URL with quotes", text: #"https://ok.example/"onmouseover="alert(1)"#),
    ]

    static let images: [Case] = [
        Case(label: "image with a javascript: source", text: "![x](javascript:alert(1))"),
        Case(label: "image alt with a breakout", text: #"![x" onerror="alert(1)](https://ok.example/i.png)"#),
        Case(label: "image source with a breakout", text: #"![x](https://ok.example/i.png" onerror="alert(1))"#),
        Case(label: "image alt holding svg onload", text: "![<svg onload=alert(1)>](x)"),
        Case(label: "IMG SRC javascript:", text: "<IMG SRC=javascript:alert('XSS')>"),
        Case(label: "IMG SRC with decimal entities", text: "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>"),
        Case(label: "IMG SRC with an encoded carriage return", text: "<IMG SRC=\"jav&#x0D;ascript:alert('XSS');\">"),
        Case(label: "image inside a link", text: "[![x](javascript:alert(1))](javascript:alert(2))"),
    ]

    static let embeddedContent: [Case] = [
        Case(label: "iframe javascript:", text: #"<iframe src="javascript:alert(1)"></iframe>"#),
        Case(label: "iframe srcdoc", text: #"<iframe srcdoc="<script>alert(1)</script>"></iframe>"#),
        Case(label: "style tag", text: #"<style>body{background:url("javascript:alert(1)")}</style>"#),
        Case(label: "style attribute", text: #"<div style="background-image:url(javascript:alert(1))">x</div>"#),
        Case(label: "CSS expression", text: #"<DIV STYLE="width: expression(alert('XSS'));">"#),
        Case(label: "behavior url", text: #"<XSS STYLE="behavior: url(xss.htc);">"#),
        Case(label: "math maction xlink:href", text: #"<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>"#),
        Case(label: "math mglyph style confusion", text: "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"),
        Case(label: "object data", text: #"<object data="javascript:alert(1)"></object>"#),
        Case(label: "embed src", text: #"<embed src="javascript:alert(1)">"#),
        Case(label: "form action", text: #"<form action="javascript:alert(1)"><button>x</button></form>"#),
        Case(label: "meta refresh", text: #"<meta http-equiv="refresh" content="0;url=javascript:alert(1)">"#),
        Case(label: "link stylesheet", text: #"<link rel="stylesheet" href="javascript:alert(1)">"#),
        Case(label: "base href", text: #"<base href="javascript:alert(1)//">"#),
        Case(label: "bgsound", text: #"<BGSOUND SRC="javascript:alert('XSS');">"#),
        Case(label: "table background", text: #"<TABLE BACKGROUND="javascript:alert('XSS')">"#),
    ]

    static let codeAndComments: [Case] = [
        Case(label: "script in inline code", text: "`<script>alert(1)</script>`"),
        Case(label: "img onerror in a code block", text: "```\n<img src=x onerror=alert(1)>\n```"),
        Case(label: "code block language breakout", text: "```html\" onmouseover=\"alert(1)\n<b>x</b>\n```"),
        Case(label: "HTML comment hiding an img", text: "<!--<img src=x onerror=alert(1)>-->"),
        Case(label: "CDATA hiding a script", text: "<![CDATA[<script>alert(1)</script>]]>"),
        Case(label: "conditional comment", text: "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->"),
        Case(label: "processing instruction", text: #"<? echo "<script>alert(1)</script>" ?>"#),
        Case(label: "comment closing early", text: "<!-- --!><img src=x onerror=alert(1)> -->"),
    ]

    static let brokenMarkup: [Case] = [
        Case(label: "img with stray quotes then script", text: #"<img """><script>alert(1)</script>">"#),
        Case(label: "a href javascript:", text: #"<a href="javascript:alert(1)">x</a>"#),
        Case(label: "link nested in a link", text: #"<a href="https://ok.example"><a href="javascript:alert(1)">x</a></a>"#),
        Case(label: "Markdown link nested in a link", text: "[[inner](javascript:alert(1))](https://ok.example)"),
        Case(label: "double < before img", text: "<<img src=x onerror=alert(1)//<"),
        Case(label: "unclosed img", text: "<img src=x onerror=alert(1)"),
        Case(label: "closing p then script", text: "</p><script>alert(1)</script><p>"),
        Case(label: "entities that spell a script", text: "&lt;script&gt;alert(1)&lt;/script&gt;"),
        Case(label: "entities that spell an img", text: "&#60;img src=x onerror=alert(1)&#62;"),
    ]

    static let encodedSchemes: [Case] = [
        Case(label: "tab entity in javascript:", text: "[click](java&#x09;script:alert(1))"),
        Case(label: "newline entity in javascript:", text: "[click](jav&#x0A;ascript:alert(1))"),
        Case(label: "decimal entity j", text: "[click](&#106;avascript:alert(1))"),
        Case(label: "hex entities javascript:", text: "[click](&#x6A;&#x61;&#x76;&#x61;script:alert(1))"),
        Case(label: "zero-padded entities without semicolons", text: "[click](&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1))"),
        Case(label: "&colon; entity", text: "[click](javascript&colon;alert(1))"),
        Case(label: "percent-encoded j", text: "[click](%6Aavascript:alert(1))"),
        Case(label: "a href with a tab entity", text: #"<a href="jav&#x09;ascript:alert(1)">x</a>"#),
        Case(label: "a href with a control entity and spaces", text: #"<a href="&#14;  javascript:alert(1)">x</a>"#),
        Case(label: "a href data: base64", text: #"<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>"#),
    ]

    static let blockContexts: [Case] = [
        Case(label: "script in a quote", text: "> <script>alert(1)</script>"),
        Case(label: "script in a list item", text: "- <script>alert(1)</script>"),
        Case(label: "script in a heading", text: "# <script>alert(1)</script>"),
        Case(label: "script in a table", text: "|<script>alert(1)</script>|x|\n|-|-|\n|1|2|"),
        Case(label: "script in front matter", text: "---\nx: <script>alert(1)</script>\n---"),
        Case(label: "onerror after a hard break", text: "a  \n<img src=x onerror=alert(1)>"),
        Case(label: "nested quote markers around a tag", text: ">> <svg onload=alert(1)>"),
    ]
}
