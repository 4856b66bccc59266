public import Foundation

/// The live data shortcodes are replaced with: who the thread is for, at what moment, and where
/// (the time zone decides which day "today" is).
public struct ShortcodeContext: Sendable {
    public var accountName: String
    public var contactFirstName: String?
    public var contactLastName: String?
    public var firmName: String
    /// The job the thread is started for, if any (a pipeline's "send message" automation).
    public var jobName: String?
    public var now: Date
    public var timeZone: TimeZone

    public init(
        accountName: String, contactFirstName: String? = nil, contactLastName: String? = nil, firmName: String,
        jobName: String? = nil, now: Date = Date(), timeZone: TimeZone = .gmt
    ) {
        self.accountName = accountName
        self.contactFirstName = contactFirstName
        self.contactLastName = contactLastName
        self.firmName = firmName
        self.jobName = jobName
        self.now = now
        self.timeZone = timeZone
    }

    /// First and last name with one space between; nil when the contact has neither.
    public var contactFullName: String? {
        let parts = [contactFirstName, contactLastName].compactMap { Self.present($0)?.trimmingCharacters(in: .whitespaces) }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    /// `text` unless it is absent or only white space (which would render as a blank).
    public static func present(_ text: String?) -> String? {
        guard let text, !text.allSatisfy(\.isWhitespace) else { return nil }
        return text
    }

    /// `now` as a Gregorian calendar date in `timeZone`.
    public var today: CalendarDay { CalendarDay(now, in: timeZone) }
}
