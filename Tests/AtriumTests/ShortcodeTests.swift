import AtriumShortcodes
@testable import ChatService
import Foundation
import Testing

/// Shortcodes (SPEC "Chats"): which bracketed tokens are shortcodes, which are typos and which are
/// text, and what each is replaced with.
@Suite("Chat template shortcodes")
struct ShortcodeTests {
    /// Noon UTC on the given day.
    static func day(_ year: Int, _ month: Int, _ day: Int, hour: Int = 12, minute: Int = 0) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute)) ?? .distantPast
    }

    static let context = ShortcodeContext(
        accountName: "Acme Ltd", contactFirstName: "Jane", contactLastName: "Doe", firmName: "Smith & Co", jobName: "2025 accounts",
        now: day(2026, 11, 24))

    @Test("every shortcode has its value", arguments: [
        (Shortcode.accountName, "Acme Ltd"), (.contactFirstName, "Jane"), (.contactLastName, "Doe"), (.contactFullName, "Jane Doe"),
        (.firmName, "Smith & Co"), (.jobName, "2025 accounts"), (.currentDate, "November 24, 2026"), (.currentDay, "24"),
        (.currentMonth, "November"), (.currentYear, "2026"), (.lastYear, "2025"),
    ])
    func values(shortcode: Shortcode, value: String) {
        #expect(Shortcodes.render("<\(shortcode.token)>", Self.context, markdown: false) == "<\(value)>")
        #expect(Shortcodes.used(in: "x \(shortcode.token) y") == [shortcode])
        #expect(Shortcodes.unknown(in: shortcode.token).isEmpty)
    }

    @Test("the list of shortcodes is the spec's")
    func catalogue() {
        #expect(Shortcode.allCases.map(\.token) == [
            "[ACCOUNT_NAME]", "[CONTACT_FIRST_NAME]", "[CONTACT_LAST_NAME]", "[CONTACT_FULL_NAME]", "[FIRM_NAME]", "[JOB_NAME]",
            "[CURRENT_DATE]", "[CURRENT_DAY]", "[CURRENT_MONTH]", "[CURRENT_YEAR]", "[LAST_YEAR]",
        ])
    }

    @Test("a whole subject and body: several shortcodes, adjacent, repeated, among other text")
    func wholeText() {
        let subject = "[ACCOUNT_NAME]: your [LAST_YEAR] return ([CURRENT_DAY][CURRENT_MONTH])"
        #expect(Shortcodes.render(subject, Self.context, markdown: false) == "Acme Ltd: your 2025 return (24November)")
        let body = "Dear [CONTACT_FIRST_NAME],\n\nCafé 🎉 [FIRM_NAME] for [ACCOUNT_NAME] / [ACCOUNT_NAME]."
        #expect(Shortcodes.render(body, Self.context, markdown: false) == "Dear Jane,\n\nCafé 🎉 Smith & Co for Acme Ltd / Acme Ltd.")
        #expect(Shortcodes.used(in: subject) == [.accountName, .lastYear, .currentDay, .currentMonth])
    }

    @Test("unknown tokens are named as written, each once, in order; known, escaped and linked ones are not")
    func unknown() {
        let text = "[CLIENT_NAME] [ACCOUNT_NAME] [JOBNAME] [CLIENT_NAME] \\[TODO] [GUIDE](https://example.com) [FOO_2]"
        #expect(Shortcodes.unknown(in: text) == ["[CLIENT_NAME]", "[JOBNAME]", "[FOO_2]"])
        #expect(Shortcodes.unknown(in: "[[CLIENT]] [ [NAME_]") == ["[CLIENT]", "[NAME_]"])
        #expect(Shortcodes.unknown(in: "\\\\[ODD]") == ["[ODD]"], "an escaped backslash escapes nothing")
    }

    @Test("look-alikes are text, left as they are", arguments: [
        "[Account_Name]", "[account_name]", "[ ACCOUNT_NAME ]", "[ACCOUNT-NAME]", "[X]", "[A]", "[1]", "[2024]", "[_NAME]",
        "[ACCOUNT_NAME", "ACCOUNT_NAME]", "[ACCOUNT_NAMÉ]", "[]", "[[]]",
    ])
    func lookAlikes(text: String) {
        #expect(Shortcodes.unknown(in: text).isEmpty)
        #expect(Shortcodes.used(in: text).isEmpty)
        #expect(Shortcodes.render(text, Self.context, markdown: true) == text)
        #expect(Shortcodes.render(text, Self.context, markdown: false) == text)
    }

    @Test("a Markdown link's or image's text is text, even when it is written like a shortcode")
    func links() {
        for text in ["[ACCOUNT_NAME](https://example.com)", "![LOGO](https://example.com/logo.png)", "[see here](https://example.com)"] {
            #expect(Shortcodes.render(text, Self.context, markdown: true) == text)
            #expect(Shortcodes.unknown(in: text).isEmpty && Shortcodes.used(in: text).isEmpty)
        }
        let linkAround = "[Pay [ACCOUNT_NAME] now](https://example.com/pay)"
        #expect(Shortcodes.render(linkAround, Self.context, markdown: true) == "[Pay Acme Ltd now](https://example.com/pay)")
    }

    @Test("in a body, values are escaped so Markdown shows them as written; in a subject they go in as they are")
    func markdownEscaping() {
        var context = Self.context
        context.accountName = "*Acme* [x](y) R&amp;D_1 #1 `c` <b>"
        #expect(Shortcodes.render("Hi [ACCOUNT_NAME]!", context, markdown: true)
            == ##"Hi \*Acme\* \[x\]\(y\) R\&amp;D\_1 \#1 \`c\` \<b\>!"##)
        #expect(Shortcodes.render("Hi [ACCOUNT_NAME]!", context, markdown: false) == "Hi *Acme* [x](y) R&amp;D_1 #1 `c` <b>!")
        context.accountName = #"Smith, O'Neil & "Sons"; 50% / 50?"#
        #expect(Shortcodes.render("[ACCOUNT_NAME]", context, markdown: true) == #"Smith, O'Neil \& "Sons"; 50% / 50?"#, "no clutter")
        context.accountName = "1. Acme"
        #expect(Shortcodes.render("[ACCOUNT_NAME]\n", context, markdown: true) == #"1\. Acme"# + "\n", "no list")
        context.accountName = "Acme\n# Heading\r\nLtd"
        #expect(Shortcodes.render("[ACCOUNT_NAME]", context, markdown: true) == ##"Acme \# Heading  Ltd"##, "one line, no heading")
        #expect(Shortcodes.render("[ACCOUNT_NAME]", context, markdown: false) == "Acme # Heading  Ltd")
        #expect(Shortcodes.render("**[FIRM_NAME]**", Self.context, markdown: true) == #"**Smith \& Co**"#, "the template's own Markdown stays")
    }

    @Test("an escaped bracket is text: Markdown keeps the backslash for its renderer, a subject drops it")
    func escapedBrackets() {
        #expect(Shortcodes.render(#"\[ACCOUNT_NAME] is [ACCOUNT_NAME]"#, Self.context, markdown: true) == #"\[ACCOUNT_NAME] is Acme Ltd"#)
        #expect(Shortcodes.render(#"\[ACCOUNT_NAME] is [ACCOUNT_NAME]"#, Self.context, markdown: false) == "[ACCOUNT_NAME] is Acme Ltd")
        #expect(Shortcodes.render(#"\[TODO] list"#, Self.context, markdown: false) == "[TODO] list")
        #expect(Shortcodes.render(#"a\\[ACCOUNT_NAME]"#, Self.context, markdown: true) == #"a\\Acme Ltd"#)
        #expect(Shortcodes.used(in: #"\[JOB_NAME]"#).isEmpty)
    }

    @Test("a missing contact or job renders empty and is reported, so a send can refuse it")
    func missing() {
        let bare = ShortcodeContext(accountName: "Acme Ltd", firmName: "Smith & Co", now: Self.day(2026, 11, 24))
        let text = "[JOB_NAME] for [CONTACT_FULL_NAME] ([CONTACT_FIRST_NAME] [CONTACT_LAST_NAME]) at [ACCOUNT_NAME]"
        #expect(Shortcodes.render(text, bare, markdown: false) == " for  ( ) at Acme Ltd")
        #expect(Shortcodes.missing(for: text, context: bare) == [.contactFirstName, .contactLastName, .contactFullName, .jobName])
        #expect(Shortcodes.missing(for: text, context: Self.context).isEmpty)
        #expect(Shortcodes.missing(for: #"\[JOB_NAME] [ACCOUNT_NAME]"#, context: bare).isEmpty, "an escaped one is not used")
        var firstOnly = bare
        firstOnly.contactFirstName = "Jane"
        firstOnly.contactLastName = "  "
        firstOnly.jobName = ""
        #expect(Shortcodes.render("[CONTACT_FULL_NAME]|[CONTACT_LAST_NAME]", firstOnly, markdown: false) == "Jane|")
        #expect(Shortcodes.missing(for: text, context: firstOnly) == [.contactLastName, .jobName], "blank counts as missing")
    }

    @Test("dates: the day in the context's time zone, spelled in US English; LAST_YEAR in January is the year before")
    func dates() throws {
        let text = "[CURRENT_DATE]|[CURRENT_DAY]|[CURRENT_MONTH]|[CURRENT_YEAR]|[LAST_YEAR]"
        var context = Self.context
        context.now = Self.day(2027, 1, 1, hour: 0, minute: 5)
        #expect(Shortcodes.render(text, context, markdown: false) == "January 1, 2027|1|January|2027|2026")
        context.now = Self.day(2026, 12, 31, hour: 23, minute: 30)
        #expect(Shortcodes.render(text, context, markdown: false) == "December 31, 2026|31|December|2026|2025", "UTC by default")
        context.timeZone = try #require(TimeZone(identifier: "Asia/Tokyo"))
        #expect(Shortcodes.render(text, context, markdown: false) == "January 1, 2027|1|January|2027|2026")
        context.now = Self.day(2028, 2, 29)
        context.timeZone = try #require(TimeZone(identifier: "America/Los_Angeles"))
        #expect(Shortcodes.render(text, context, markdown: true) == "February 29, 2028|29|February|2028|2027", "nothing in a date to escape")
        let months = (1...12).map { ShortcodeContext(accountName: "", firmName: "", now: Self.day(2026, $0, 15)) }
        #expect(months.map { Shortcodes.render("[CURRENT_MONTH]", $0, markdown: false) }
            == CalendarDay.monthNames)
    }
}
