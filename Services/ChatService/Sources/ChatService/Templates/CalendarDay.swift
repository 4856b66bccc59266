import Foundation

/// A day of the Gregorian calendar, spelled the US English way whatever the server's locale.
struct CalendarDay: Equatable {
    let year: Int
    let month: Int
    let day: Int

    init(_ date: Date, in timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        year = parts.year ?? 1970
        month = parts.month ?? 1
        day = parts.day ?? 1
    }

    /// "November": the en_US_POSIX name, spelled out here so that no server locale changes it.
    var monthName: String { Self.monthNames[min(max(month, 1), 12) - 1] }

    /// "November 24, 2026".
    var longDate: String { "\(monthName) \(day), \(year)" }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                             "October", "November", "December"]
}
