/// A placeholder a chat or e-mail template's subject or body may hold, replaced with live data
/// when it is used (SPEC "Chats"). Written `[ACCOUNT_NAME]`: the raw value in brackets.
public enum Shortcode: String, CaseIterable, Sendable {
    case accountName = "ACCOUNT_NAME"
    case contactFirstName = "CONTACT_FIRST_NAME"
    case contactLastName = "CONTACT_LAST_NAME"
    case contactFullName = "CONTACT_FULL_NAME"
    case firmName = "FIRM_NAME"
    case jobName = "JOB_NAME"
    case currentDate = "CURRENT_DATE"
    case currentDay = "CURRENT_DAY"
    case currentMonth = "CURRENT_MONTH"
    case currentYear = "CURRENT_YEAR"
    case lastYear = "LAST_YEAR"

    /// How it is written in a template: `[ACCOUNT_NAME]`.
    public var token: String { "[\(rawValue)]" }

    /// The live value in `context`; nil when the context lacks it (no contact, no job).
    public func value(in context: ShortcodeContext) -> String? {
        switch self {
        case .accountName: context.accountName
        case .contactFirstName: ShortcodeContext.present(context.contactFirstName)
        case .contactLastName: ShortcodeContext.present(context.contactLastName)
        case .contactFullName: context.contactFullName
        case .firmName: context.firmName
        case .jobName: ShortcodeContext.present(context.jobName)
        case .currentDate: context.today.longDate
        case .currentDay: String(context.today.day)
        case .currentMonth: context.today.monthName
        case .currentYear: String(context.today.year)
        case .lastYear: String(context.today.year - 1)
        }
    }
}
