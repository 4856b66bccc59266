import AtriumRuntime
@testable import ChatService
import Testing

/// SPEC "Chats": a message is rich text (formatting, lists, links, emoji, video links) that no
/// reader's browser may run as script. `MessageFormat.render` gives safe HTML, plain text, the
/// links and the video embeds; `MessageText.validate` guards what is stored.
@Suite("Message format: safe rendering, embeds, plain text, validation")
struct MessageFormatTests {
    static let rel = #"rel="nofollow noopener noreferrer" target="_blank""#

    static func html(_ text: String) -> String {
        MessageFormat.render(text).html
    }

    // MARK: - Hostile input (Support/XSSCorpus.swift)

    @Test("the corpus is large enough to mean something")
    func corpusSize() {
        #expect(XSSCorpus.cases.count >= 60)
        #expect(Set(XSSCorpus.cases.map(\.label)).count == XSSCorpus.cases.count)
    }

    @Test("no rendering of a hostile text leaves the allowlist", arguments: XSSCorpus.cases)
    func hostileTextStaysInsideTheAllowlist(_ hostile: XSSCorpus.Case) {
        let rendered = MessageFormat.render(hostile.text)
        #expect(HTMLAllowlistChecker.violations(in: rendered.html) == [], "\(rendered.html)")
        #expect(rendered.links.allSatisfy(HTMLAllowlistChecker.isAllowedHref), "\(rendered.links)")
    }

    // Random mixes of Markdown punctuation, HTML, schemes and URLs: what no list of cases thought of.
    @Test("random hostile mixes stay inside the allowlist", arguments: 1...4)
    func randomMixes(_ seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let characters = Array("[[]]((()))!!**__~~``<>&\"'#-+|\\: \n\n\tab1._/")
        let pieces = [
            "https://", "http://a.example/", "<https://", "[a](", "](", "![", "```\n", "\n- ", "\n1. ", "\n> ", "&amp;",
            "&#x6A;", "javascript:", "<img src=x onerror=alert(1)>", "<script>", "\n---\n", "<a href=\"javascript:x\">",
        ]
        for _ in 0..<50 {
            var text = ""
            let length = Int.random(in: 1...2_000, using: &random)
            while text.count < length {
                let piece = Int.random(in: 0..<5, using: &random) == 0
                    ? pieces[Int.random(in: 0..<pieces.count, using: &random)]
                    : String(characters[Int.random(in: 0..<characters.count, using: &random)])
                text += piece
            }
            let html = MessageFormat.render(text).html
            #expect(HTMLAllowlistChecker.violations(in: html) == [], "\(text.debugDescription) gave \(html)")
        }
    }

    @Test("the sanitiser alone makes Ink's raw output of a hostile text safe", arguments: XSSCorpus.cases)
    func sanitiserAloneIsEnough(_ hostile: XSSCorpus.Case) {
        let raw = InkRenderer.unconfiguredHTML(from: hostile.text)
        let html = SafeHTMLWriter.html(HTMLSanitizer.sanitize(raw))
        #expect(HTMLAllowlistChecker.violations(in: html) == [], "\(raw) became \(html)")
    }

    // Without the escaping, Ink would pass the HTML through: the checker must see that, or the
    // tests above prove nothing.
    @Test("the checker catches Ink's raw output")
    func checkerCatchesInksRawOutput() {
        let missed = XSSCorpus.cases.filter { HTMLAllowlistChecker.violations(in: InkRenderer.unconfiguredHTML(from: $0.text)).isEmpty }
        #expect(missed.count <= XSSCorpus.cases.count / 4, "\(missed.map { "\($0.label): \(InkRenderer.unconfiguredHTML(from: $0.text))" })")
        #expect(!HTMLAllowlistChecker.violations(in: #"<p><a href="javascript:alert(1)" \#(Self.rel)>x</a></p>"#).isEmpty)
        #expect(!HTMLAllowlistChecker.violations(in: #"<p><a href="java&#x09;script:x" \#(Self.rel)>x</a></p>"#).isEmpty)
        #expect(!HTMLAllowlistChecker.violations(in: #"<p onclick="x">x</p>"#).isEmpty)
        #expect(!HTMLAllowlistChecker.violations(in: "<p>a <b>c</p>").isEmpty)
        #expect(HTMLAllowlistChecker.violations(in: #"<p><a href="https://a.example/?a=1&amp;b" \#(Self.rel)>x</a></p>"#) == [])
    }

    @Test("escaping alone keeps the user's HTML away from Ink")
    func escapingAloneNeutralisesHTML() {
        for hostile in XSSCorpus.cases {
            let inkHTML = InkRenderer.html(from: MarkdownInput.prepare(hostile.text).markdown)
            let tags = Self.tagNames(in: inkHTML)
            let inks: Set<String> = ["p", "br", "strong", "em", "s", "code", "pre", "blockquote", "ul", "ol", "li", "hr", "a", "img"]
            #expect(tags.isSubset(of: inks), "\(hostile.label): \(inkHTML)")
        }
    }

    static func tagNames(in html: String) -> Set<String> {
        var names = Set<String>()
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<") {
            rest = rest[rest.index(after: open)...].drop { $0 == "/" }
            names.insert(String(rest.prefix { $0.isLetter || $0.isNumber }).lowercased())
        }
        return names
    }

    @Test("a refused link keeps its text and leaves no trace of its address")
    func refusedLinkBecomesText() {
        let rendered = MessageFormat.render("[click here](javascript:alert(1))")
        #expect(rendered.html == "<p>click here</p>")
        #expect(rendered.links == [])
        #expect(Self.html("[x](java\tscript:alert(1)) [y](%6Aavascript:x) [z](/relative) [w](ftp://files.example)")
            == "<p>x y z w</p>")
    }

    @Test("the HTML the user types is shown as text")
    func typedHTMLIsText() {
        #expect(Self.html("<b>hi</b> & <i>you</i>") == "<p>&lt;b&gt;hi&lt;/b&gt; &amp; &lt;i&gt;you&lt;/i&gt;</p>")
        #expect(Self.html(#"He said "hi" & left"#) == "<p>He said &quot;hi&quot; &amp; left</p>")
        #expect(Self.html("&amp; &lt;b&gt; &#60;") == "<p>&amp;amp; &amp;lt;b&amp;gt; &amp;#60;</p>")
    }

    @Test("control characters never reach the HTML, even unvalidated")
    func controlsAreDropped() {
        #expect(Self.html("a\u{0}b\u{1}c\u{2}d\u{1B}e") == "<p>abcde</p>")
    }

    // MARK: - Formatting

    @Test("bold, italic and strikethrough")
    func inlineStyles() {
        #expect(Self.html("**bold**, *italic*, _also_ and ~~gone~~")
            == "<p><strong>bold</strong>, <em>italic</em>, <em>also</em> and <del>gone</del></p>")
    }

    @Test("bulleted and numbered lists, nested")
    func lists() {
        #expect(Self.html("- one\n- two") == "<ul><li>one</li><li>two</li></ul>")
        #expect(Self.html("1. first\n2. second") == "<ol><li>first</li><li>second</li></ol>")
        #expect(Self.html("Steps:\n- a\n  - a1\n  - a2") == "<p>Steps:</p><ul><li>a<ul><li>a1</li><li>a2</li></ul></li></ul>")
        #expect(Self.html("3. three\n4. four") == "<ol><li>three</li><li>four</li></ol>")
    }

    @Test("links get rel and target, their addresses escaped")
    func links() {
        let rendered = MessageFormat.render("See [the docs](https://atrium.example/docs?a=1&b='2') now")
        #expect(rendered.html == #"<p>See <a href="https://atrium.example/docs?a=1&amp;b=&#39;2&#39;" \#(Self.rel)>the docs</a> now</p>"#)
        #expect(rendered.links == ["https://atrium.example/docs?a=1&b='2'"])
    }

    @Test("a mailto link, and a reference link")
    func mailtoAndReference() {
        #expect(Self.html("[write](MAILTO:team@firm.example)") == #"<p><a href="MAILTO:team@firm.example" \#(Self.rel)>write</a></p>"#)
        #expect(Self.html("[docs][d]\n\n[d]: https://atrium.example/d \"Docs\"")
            == #"<p><a href="https://atrium.example/d" \#(Self.rel)>docs</a></p>"#)
    }

    @Test("bare URLs and autolinks become links, underscores and trailing punctuation intact")
    func autolinks() {
        #expect(Self.html("see https://example.com/a_b_c_d.")
            == #"<p>see <a href="https://example.com/a_b_c_d" \#(Self.rel)>https://example.com/a_b_c_d</a>.</p>"#)
        #expect(Self.html("(at https://example.com/x_(y))")
            == #"<p>(at <a href="https://example.com/x_(y)" \#(Self.rel)>https://example.com/x_(y)</a>)</p>"#)
        #expect(Self.html("<https://example.com/*a*> and <mailto:a@b.example>")
            == #"<p><a href="https://example.com/*a*" \#(Self.rel)>https://example.com/*a*</a> and <a href="mailto:a@b.example" \#(Self.rel)>mailto:a@b.example</a></p>"#)
    }

    @Test("a URL inside code or a link's text stays text")
    func noAutolinkInCodeOrLinks() {
        #expect(Self.html("`curl https://example.com/a_b`") == "<p><code>curl https://example.com/a_b</code></p>")
        #expect(Self.html("[https://a.example](https://b.example)")
            == #"<p><a href="https://b.example" \#(Self.rel)>https://a.example</a></p>"#)
    }

    @Test("code blocks and inline code are escaped exactly once")
    func code() {
        #expect(Self.html("```swift\nif a < b && c > d { print(\"&amp;\") }\n```")
            == "<pre><code>if a &lt; b &amp;&amp; c &gt; d { print(&quot;&amp;amp;&quot;) }\n</code></pre>")
        #expect(Self.html("use `<br>` or `a & b`") == "<p>use <code>&lt;br&gt;</code> or <code>a &amp; b</code></p>")
        #expect(Self.html("```\n> not a quote\n```") == "<pre><code>&gt; not a quote\n</code></pre>")
    }

    @Test("quotes, headings as bold paragraphs, rules")
    func blocks() {
        #expect(Self.html("> quoted\n> text") == "<blockquote><p>quoted text</p></blockquote>")
        #expect(Self.html("# Title\nBody") == "<p><strong>Title</strong></p><p>Body</p>")
        #expect(Self.html("### Small") == "<p><strong>Small</strong></p>")
        #expect(Self.html("above\n\n---\n\nbelow") == "<p>above</p><hr><p>below</p>")
    }

    @Test("a new line is a line break; a blank line a new paragraph")
    func lineBreaks() {
        #expect(Self.html("Hi Anna,\nthanks for the files.\r\n\r\nBest,\nBob") == "<p>Hi Anna,<br>thanks for the files.</p><p>Best,<br>Bob</p>")
    }

    @Test("a message that looks like front matter is not lost")
    func frontMatter() {
        #expect(Self.html("---\nNote: due Friday\n---") == "<hr><p>Note: due Friday</p><hr>")
    }

    @Test("a table is shown as typed")
    func tables() {
        #expect(Self.html("|a|b|\n|-|-|\n|1|2|") == "<p>|a|b|<br>|-|-|<br>|1|2|</p>")
    }

    @Test("a list or quote right under a paragraph is a list or quote")
    func blocksUnderAParagraph() {
        #expect(Self.html("Please send:\n* the invoice\n* the receipt") == "<p>Please send:</p><ul><li>the invoice</li><li>the receipt</li></ul>")
        #expect(Self.html("Steps:\n1. sign\n2. return") == "<p>Steps:</p><ol><li>sign</li><li>return</li></ol>")
        #expect(Self.html("You wrote:\n> due Friday") == "<p>You wrote:</p><blockquote><p>due Friday</p></blockquote>")
        #expect(Self.html("- a\ncontinued\n- b") == "<ul><li>a continued</li><li>b</li></ul>")
    }

    @Test("underscores inside words are not emphasis; brackets that open no link are text")
    func literalUnderscoresAndBrackets() {
        #expect(Self.html("Q3_report_final.pdf, _this_ and snake_case") == "<p>Q3_report_final.pdf, <em>this</em> and snake_case</p>")
        #expect(Self.html("[WIP] done [x] and [y](") == "<p>[WIP] done [x] and [y](</p>")
        #expect(Self.html("- [ ] open\n- [x] done") == "<ul><li>[ ] open</li><li>[x] done</li></ul>")
    }

    @Test("Markdown images are links (images come as attachments), never img")
    func images() {
        let rendered = MessageFormat.render("![the diagram](https://files.example/d.png) ![](https://files.example/e.png)")
        #expect(rendered.html == #"<p><a href="https://files.example/d.png" \#(Self.rel)>the diagram</a> <a href="https://files.example/e.png" \#(Self.rel)>https://files.example/e.png</a></p>"#)
        #expect(rendered.links == ["https://files.example/d.png", "https://files.example/e.png"])
        #expect(Self.html("![**bold** alt](javascript:x)") == "<p><strong>bold</strong> alt</p>")
        #expect(Self.html("`![x](https://a.example)`") == "<p><code>![x](https://a.example)</code></p>")
    }

    @Test("the sanitiser turns an img from Ink into a link, or into its alt text")
    func sanitiserImages() {
        let html = SafeHTMLWriter.html(HTMLSanitizer.sanitize(#"<p><img src="https://a.example/i.png" alt="a <strong>b</strong>"/> <img src="javascript:x" alt="c"/></p>"#))
        #expect(html == #"<p><a href="https://a.example/i.png" \#(Self.rel)>a b</a> c</p>"#)
    }

    @Test("the sanitiser keeps text, drops what is not allowed, and always nests")
    func sanitiserStructure() {
        let cases: [(String, String)] = [
            ("<p>a<s>b</s><div class=\"x\">c</div><h1>d</h1></p>", "<p>a<del>b</del>cd</p>"),
            ("<p><a href=\"https://a.example\">x<a href=\"https://b.example\">y</a>z</a></p>", #"<p><a href="https://a.example" \#(Self.rel)>xyz</a></p>"#),
            ("<ul><li>a<li>b</ul></li>", "<ul><li>a<li>b</li></li></ul>"),
            ("<strong><em>a</strong>b</em></p>", "<strong><em>a</em></strong>b"),
            ("<ol start=\"3\"><li>x</li></ol><hr/><br>", "<ol><li>x</li></ol><hr><br>"),
            ("<p>a &amp; b &lt; c &#x3C;d&#62; &unknown; &#0; \u{1}9\u{2}</p>", "<p>a &amp; b &lt; c &lt;d&gt; &amp;unknown; \u{FFFD} 9</p>"),
            ("<a href=\"https://a.example\"></a>", #"<a href="https://a.example" \#(Self.rel)>https://a.example</a>"#),
        ]
        for (input, expected) in cases {
            #expect(SafeHTMLWriter.html(HTMLSanitizer.sanitize(input)) == expected, "\(input)")
        }
    }

    @Test("SafeLink accepts http, https and mailto only, however the others are spelled")
    func safeLinks() {
        for good in ["https://a.example", "HTTP://A.EXAMPLE/x?y#z", "mailto:a@b.example", "  https://a.example/x \"title\"", "https://a.example/it's"] {
            #expect(SafeLink(good) != nil, "\(good)")
        }
        let bad = [
            "javascript:alert(1)", " javascript:alert(1)", "\u{0}javascript:x", "java\tscript:x", "jav\u{A}ascript:x", "JaVaScRiPt:x",
            "vbscript:x", "data:text/html,x", "/relative", "//evil.example", "https:", "https://", "https:///x", "http:\\\\evil.example",
            "https://a.example/\"onclick", "https://a.example/<x>", "https://a.example/\u{202E}x", "\u{212A}ttps://x", "ftp://a.example",
            "mailto:", "%6Aavascript:x", "&#106;avascript:x",
        ]
        for address in bad {
            #expect(SafeLink(address) == nil, "\(address.debugDescription)")
        }
    }

    @Test("emoji survive untouched", arguments: ["🎉", "👍🏽", "👨‍👩‍👧‍👦", "❤️", "🇩🇪", "🏳️‍🌈", "1️⃣"])
    func emoji(_ emoji: String) {
        let text = "Great job \(emoji) team"
        let rendered = MessageFormat.render(text)
        #expect(rendered.html == "<p>\(text)</p>")
        #expect(rendered.plain == text)
        #expect(rendered.html.unicodeScalars.elementsEqual("<p>\(text)</p>".unicodeScalars))
    }

    @Test("links are absolute, in order, each once")
    func linkList() {
        let rendered = MessageFormat.render("https://b.example and https://a.example, [again](https://b.example) [mail](mailto:x@y.example) [no](javascript:x)")
        #expect(rendered.links == ["https://b.example", "https://a.example", "mailto:x@y.example"])
    }

    // MARK: - Embeds

    /// A video address as users paste it, and the embed it must give.
    struct Shape: Sendable, CustomTestStringConvertible {
        let address: String
        let provider: MessageEmbed.Provider
        let id: String
        let canonical: String
        var testDescription: String { address }
    }

    static let youtubeID = "dQw4w9WgXcQ"
    static let loomID = "0123456789abcdef0123456789abcdef"
    static let driveID = "1AbCdEfGhIjKlMnOpQrStUvWxYz_-2345"

    static let shapes: [Shape] = [
        Shape(address: "https://www.youtube.com/watch?v=\(youtubeID)", provider: .youtube, id: youtubeID, canonical: "https://www.youtube.com/watch?v=\(youtubeID)"),
        Shape(address: "https://youtube.com/watch?v=\(youtubeID)&t=42s", provider: .youtube, id: youtubeID, canonical: "https://www.youtube.com/watch?v=\(youtubeID)"),
        Shape(address: "https://m.youtube.com/watch?feature=share&v=\(youtubeID)", provider: .youtube, id: youtubeID, canonical: "https://www.youtube.com/watch?v=\(youtubeID)"),
        Shape(address: "https://youtu.be/\(youtubeID)?si=abc", provider: .youtube, id: youtubeID, canonical: "https://www.youtube.com/watch?v=\(youtubeID)"),
        Shape(address: "https://www.youtube.com/embed/\(youtubeID)", provider: .youtube, id: youtubeID, canonical: "https://www.youtube.com/watch?v=\(youtubeID)"),
        Shape(address: "https://youtube.com/shorts/\(youtubeID)", provider: .youtube, id: youtubeID, canonical: "https://www.youtube.com/watch?v=\(youtubeID)"),
        Shape(address: "http://www.youtube.com/watch?v=a_b-c_d-e_f", provider: .youtube, id: "a_b-c_d-e_f", canonical: "https://www.youtube.com/watch?v=a_b-c_d-e_f"),
        Shape(address: "https://vimeo.com/76979871", provider: .vimeo, id: "76979871", canonical: "https://vimeo.com/76979871"),
        Shape(address: "https://www.vimeo.com/76979871", provider: .vimeo, id: "76979871", canonical: "https://vimeo.com/76979871"),
        Shape(address: "https://player.vimeo.com/video/76979871?h=abc", provider: .vimeo, id: "76979871", canonical: "https://vimeo.com/76979871"),
        Shape(address: "https://vimeo.com/76979871/abcdef1234", provider: .vimeo, id: "76979871", canonical: "https://vimeo.com/76979871/abcdef1234"),
        Shape(address: "https://www.loom.com/share/\(loomID)", provider: .loom, id: loomID, canonical: "https://www.loom.com/share/\(loomID)"),
        Shape(address: "https://loom.com/embed/\(loomID)", provider: .loom, id: loomID, canonical: "https://www.loom.com/share/\(loomID)"),
        Shape(address: "https://www.loom.com/share/Quarterly-Review-\(loomID)?sid=1", provider: .loom, id: loomID, canonical: "https://www.loom.com/share/\(loomID)"),
        Shape(address: "https://drive.google.com/file/d/\(driveID)/view?usp=sharing", provider: .googleDrive, id: driveID, canonical: "https://drive.google.com/file/d/\(driveID)/view"),
        Shape(address: "https://drive.google.com/file/d/\(driveID)/preview", provider: .googleDrive, id: driveID, canonical: "https://drive.google.com/file/d/\(driveID)/view"),
        Shape(address: "https://drive.google.com/file/d/\(driveID)", provider: .googleDrive, id: driveID, canonical: "https://drive.google.com/file/d/\(driveID)/view"),
        Shape(address: "https://drive.google.com/open?id=\(driveID)", provider: .googleDrive, id: driveID, canonical: "https://drive.google.com/file/d/\(driveID)/view"),
    ]

    @Test("each provider is recognised from each address shape, bare or as a Markdown link", arguments: shapes)
    func embedShapes(_ shape: Shape) {
        let expected = MessageEmbed(provider: shape.provider, id: shape.id, url: shape.canonical)
        #expect(MessageFormat.render("Watch: \(shape.address)").embeds == [expected])
        #expect(MessageFormat.render("Watch [this](\(shape.address)) please").embeds == [expected])
    }

    static let lookAlikes: [String] = [
        "https://youtube.com.evil.example/watch?v=\(youtubeID)",
        "https://evilyoutube.com/watch?v=\(youtubeID)",
        "https://youtube.com@evil.example/watch?v=\(youtubeID)",
        "https://www.youtube.com:8443/watch?v=\(youtubeID)",
        "https://www.youtube.com./watch?v=\(youtubeID)",
        "https://youtu.be.evil.example/\(youtubeID)",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/watch?v=\(youtubeID)X",
        "https://youtu.be/dQw4w9WgX$Q",
        "https://www.youtube.com/watch/\(youtubeID)",
        "https://vimeo.com/abc",
        "https://vimeo.com/1234567890123",
        "https://vimeo.com.evil.example/76979871",
        "https://player.vimeo.com/76979871",
        "https://www.loom.com/share/xyz",
        "https://www.loom.com/share/0123456789ABCDEF0123456789ABCDEF",
        "https://www.loom.com/share/Title\(loomID)",
        "https://loom.com.evil.example/share/\(loomID)",
        "https://drive.google.com.evil.example/file/d/\(driveID)/view",
        "https://docs.google.com/file/d/\(driveID)/view",
        "https://drive.google.com/file/d/short/view",
        "https://drive.google.com/file/d/\(driveID)/delete",
    ]

    @Test("look-alike hosts and malformed ids are links, not embeds", arguments: lookAlikes)
    func lookAlikesAreNotEmbeds(_ address: String) {
        let rendered = MessageFormat.render("Watch [this](\(address))")
        #expect(rendered.embeds == [])
        #expect(rendered.links == [address])
    }

    @Test("only http and https addresses make embeds")
    func embedSchemes() {
        #expect(MessageFormat.render("[x](ftp://youtube.com/watch?v=\(Self.youtubeID))").embeds == [])
        #expect(MessageFormat.render("[x](javascript://youtube.com/watch?v=\(Self.youtubeID))").embeds == [])
    }

    @Test("embeds are in order, each once; the provider codes as its raw value")
    func embedOrderAndCoding() throws {
        let text = "https://vimeo.com/1 then https://youtu.be/\(Self.youtubeID) and https://www.youtube.com/watch?v=\(Self.youtubeID)"
        #expect(MessageFormat.render(text).embeds.map(\.provider) == [.vimeo, .youtube])
        #expect(MessageEmbed.Provider.googleDrive.rawValue == "google_drive")
        #expect(MessageEmbed.Provider.allCases.map(\.rawValue) == ["loom", "vimeo", "youtube", "google_drive"])
    }

    // MARK: - Plain text

    @Test("plain text has no markup, a line per block")
    func plainText() {
        let rendered = MessageFormat.render("""
            # Hello
            **Bold** _it_ `code` [docs](https://a.example) ~~old~~ https://b.example

            - one
            - two

            1. first
            2. second

            > quoted
            """)
        #expect(rendered.plain == "Hello\nBold it code docs (https://a.example) old https://b.example\n• one\n• two\n1. first\n2. second\nquoted")
        for mark in ["<", ">", "*", "`", "#", "[", "](", "~~", "&amp;"] {
            #expect(!rendered.plain.contains(mark), "\(mark)")
        }
    }

    @Test("plain text collapses spaces and blank lines, keeps code lines, decodes text")
    func plainWhitespace() {
        #expect(MessageFormat.render("a    b\t c\n\n\n\nd").plain == "a b c\nd")
        #expect(MessageFormat.render("```\nlet a = 1\n    return a\n```").plain == "let a = 1\n    return a")
        #expect(MessageFormat.render("<b> & \"q\"").plain == "<b> & \"q\"")
        #expect(MessageFormat.render("[write](mailto:a@b.example) to mailto:c@d.example").plain == "write (mailto:a@b.example) to mailto:c@d.example")
    }

    // MARK: - Validation

    static func refusal(_ raw: String) -> String? {
        do {
            _ = try MessageText.validate(raw)
            return nil
        } catch ChatError.invalid(let why) {
            return why
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test("text is trimmed at its two ends only")
    func validTextIsTrimmedAtTheEnds() throws {
        #expect(try MessageText.validate("  \n Hi *there*  \n\t") == "Hi *there*")
        #expect(try MessageText.validate("a  \nb\r\n\tc") == "a  \nb\r\n\tc")
        #expect(try MessageText.validate("🎉") == "🎉")
    }

    @Test("empty text is refused", arguments: ["", " ", "\n\n", " \t\r\n "])
    func emptyIsRefused(_ raw: String) {
        #expect(Self.refusal(raw) == "text must not be empty")
    }

    @Test("more than 20,000 Unicode scalars is refused, 20,000 is not")
    func lengthLimit() throws {
        let atLimit = String(repeating: "👍🏽", count: 10_000)
        #expect(atLimit.unicodeScalars.count == 20_000)
        #expect(try MessageText.validate(atLimit) == atLimit)
        #expect(Self.refusal(atLimit + "a")?.hasPrefix("text must be at most 20000") == true)
        #expect(Self.refusal(String(repeating: "a", count: 20_001) + "   ") != nil)
        #expect(try MessageText.validate(String(repeating: "a", count: 20_000) + "   ").count == 20_000)
    }

    @Test("NUL and other C0 controls are refused", arguments: ["\u{0}", "\u{1}", "\u{7}", "\u{8}", "\u{B}", "\u{1B}", "\u{1F}"])
    func controlsAreRefused(_ control: String) {
        let why = Self.refusal("a\(control)b")
        #expect(why?.hasPrefix("text must not contain control characters") == true, "\(why ?? "accepted")")
    }

    @Test("rendering a long hostile text stays fast")
    func pathologicalInputIsLinear() {
        let clock = ContinuousClock()
        let units = [
            "[", "![", "[a](", "[a](b", "[a][", "[a][b", "[`]`", "[\\]", "[a]", "*", "_", "a_", "`", "a`", "<", "&", "a&amp",
            "](", "> ", "- ", "  - a\n", "|", "https://a.example/(", "<https://a.example", "\n", "---\n",
        ]
        // Ink reads a nested list recursively: the deepest list 20,000 characters can hold.
        let deepList = (0..<135).map { String(repeating: " ", count: $0 * 2) + "- a" }.joined(separator: "\n")
        let texts = units.map { String(repeating: $0, count: 20_000 / $0.count) } + [deepList]
        for text in texts {
            let elapsed = clock.measure { _ = MessageFormat.render(text) }
            #expect(elapsed < .seconds(5), "\(text.prefix(20).debugDescription) took \(elapsed)")
        }
    }
}
