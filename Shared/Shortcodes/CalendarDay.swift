public import Foundation

/// A day of the Gregorian calendar, spelled the US English way whatever the server's locale.
public struct CalendarDay: Equatable, Sendable {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(_ date: Date, in timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        year = parts.year ?? 1970
        month = parts.month ?? 1
        day = parts.day ?? 1
    }

    /// "November": the en_US_POSIX name, spelled out here so that no server locale changes it.
    public var monthName: String { Self.monthNames[min(max(month, 1), 12) - 1] }

    /// "November 24, 2026".
    public var longDate: String { "\(monthName) \(day), \(year)" }

    public static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                             "October", "November", "December"]
}
