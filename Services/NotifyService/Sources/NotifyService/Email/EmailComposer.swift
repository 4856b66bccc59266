import Foundation
import Mustache

/// Renders notifications and invitations into e-mails with the templates in `EmailTemplates`.
struct EmailComposer: Sendable {
    /// Stands in an invitation's rendered parts for the accept link, which carries a secret and is
    /// only fetched when the e-mail is sent (`withInvitationLink`).
    static let linkMarker = "ATRIUM-INVITATION-LINK"

    let library: MustacheLibrary
    let settings: EmailSettings

    init(settings: EmailSettings) throws {
        var library = MustacheLibrary()
        try library.register(EmailTemplates.noticeHTML, named: "notice.html")
        try library.register(EmailTemplates.noticeText, named: "notice.txt")
        try library.register(EmailTemplates.invitationHTML, named: "invitation.html")
        try library.register(EmailTemplates.invitationText, named: "invitation.txt")
        self.library = library
        self.settings = settings
    }

    /// The e-mail for `notice`. A contact's e-mail shows what was written only when the firm allows
    /// it (`showContent`); otherwise it says something is waiting and links to the portal.
    func render(_ notice: Notice, audience: Audience) -> EmailContent {
        let recipient = notice.recipient
        let isContact = recipient.kind == .contact
        let showContent = !isContact || audience.showContentInEmails
        let title = showContent ? notice.title : Self.discreetTitle(notice.kind, firm: audience.firmName)
        let lines = showContent ? notice.summary.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            : ["Sign in to read it and reply."]
        let footer = isContact
            ? "You receive this because you get notifications about \(audience.accountName) from \(audience.firmName)."
            : "You receive this because of your notification preferences in \(audience.firmName)'s Atrium."
        let context: [String: Any] = [
            "greeting": "Hello \(recipient.firstName.isEmpty ? recipient.name : recipient.firstName),",
            "title": title, "lines": lines, "footer": footer,
            "link": settings.link(thread: notice.threadID) ?? "",
            "action": notice.threadID == nil ? "Open" : (isContact ? "Open in your portal" : "Open the thread"),
        ]
        return EmailContent(subject: title, text: render(context, "notice.txt"), html: render(context, "notice.html"))
    }

    /// A firm's template as written for `contact`: the filled subject, and the filled body as the
    /// text part and, escaped, as the HTML part's paragraphs.
    func templated(subject: String, body: String, to contact: Person, audience: Audience) -> EmailContent {
        let context: [String: Any] = [
            "title": subject, "lines": body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
            "footer": "You receive this because you get notifications about \(audience.accountName) from \(audience.firmName).",
            "link": settings.link(thread: nil) ?? "", "action": "Open your portal",
        ]
        return EmailContent(subject: subject, text: render(context, "notice.txt"), html: render(context, "notice.html"))
    }

    /// A daily digest: one line per notice it stands for, oldest first.
    func digest(_ entries: [DigestStore.Entry]) -> EmailContent {
        let first = entries.first?.name.split(separator: " ").first.map(String.init) ?? ""
        let title = entries.count == 1 ? "Your daily digest: 1 update" : "Your daily digest: \(entries.count) updates"
        let lines = entries.map { entry in
            let summary = entry.summary.split(separator: "\n").first.map(String.init) ?? ""
            return "• \(entry.title)" + (summary.isEmpty ? "" : " — \(summary)") + (entry.link.map { " (\($0))" } ?? "")
        }
        let context: [String: Any] = [
            "greeting": first.isEmpty ? "Hello," : "Hello \(first),", "title": title, "lines": lines,
            "footer": "You receive one digest a day instead of an e-mail per update: change it in your notification preferences.",
            "link": settings.link(thread: nil) ?? "", "action": "Open Atrium",
        ]
        return EmailContent(subject: title, text: render(context, "notice.txt"), html: render(context, "notice.html"))
    }

    /// An invitation e-mail; its link is `linkMarker` until sending.
    func invitation(firstName: String, firm: String, kind: String, expires: Date) -> EmailContent {
        let invitation = kind == "member"
            ? "\(firm) invites you to join its team on Atrium."
            : "\(firm) invites you to its client portal, where you can message the firm, complete tasks and share documents."
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMMM yyyy 'at' HH:mm 'UTC'"
        let context: [String: Any] = [
            "greeting": firstName.isEmpty ? "Hello," : "Hello \(firstName),", "invitation": invitation,
            "link": Self.linkMarker, "expires": formatter.string(from: expires),
        ]
        let subject = kind == "member" ? "Join \(firm) on Atrium" : "\(firm) invites you to its client portal"
        return EmailContent(subject: subject, text: render(context, "invitation.txt"), html: render(context, "invitation.html"))
    }

    /// `content` with the invitation's real accept link in place of the marker.
    func withInvitationLink(_ content: EmailContent, token: String) -> EmailContent {
        let link = settings.invitationLink(token: token)
        var filled = content
        filled.text = content.text.replacingOccurrences(of: Self.linkMarker, with: link)
        filled.html = content.html.replacingOccurrences(of: Self.linkMarker, with: Self.escapeHTML(link))
        return filled
    }

    private func render(_ context: [String: Any], _ template: String) -> String {
        library.render(context, withTemplate: template) ?? ""
    }

    static func discreetTitle(_ kind: NoticeKind, firm: String) -> String {
        switch kind {
        case .pendingTasks: "\(firm) has tasks waiting for you"
        case .reminder: "Reminder: \(firm) is waiting for your reply"
        default: "You have a new message from \(firm)"
        }
    }

    static func escapeHTML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
