import Foundation

/// Names that never overwrite: a new document or folder whose name is taken in its folder gets
/// `name (1).ext`, `name (2).ext`, … instead. Names are compared in any case, after Unicode
/// normalisation, as the folder index compares them.
public enum UniqueName {
    /// `wanted` when nothing in `existing` has that name; otherwise the first free
    /// `stem (n).ext` counting from 1, keeping the extension (`report.pdf` → `report (1).pdf`).
    /// A wanted name that already ends in ` (n)` counts on from its stem (`report (1).pdf` →
    /// `report (2).pdf`). The stem is shortened when the result would exceed `maxLength`.
    public static func make(_ wanted: String, avoiding existing: some Sequence<String>, maxLength: Int = 120) -> String {
        make(wanted, taken: Set(existing.map(key)), maxLength: maxLength)
    }

    /// Names for several new entries of one folder, in order: none clashes with `existing` nor
    /// with an earlier one of `wanted`.
    public static func assign(_ wanted: [String], avoiding existing: some Sequence<String>, maxLength: Int = 120) -> [String] {
        var taken = Set(existing.map(key))
        return wanted.map { name in
            let unique = make(name, taken: taken, maxLength: maxLength)
            taken.insert(key(unique))
            return unique
        }
    }

    /// `taken` holds the keys (`key(_:)`) of the names in use.
    static func make(_ wanted: String, taken: Set<String>, maxLength: Int) -> String {
        guard taken.contains(key(wanted)) else { return wanted }
        let (stem, ext) = split(wanted)
        let base = strippingCounter(stem)
        // At most `taken.count` names can be taken, so one of the first `taken.count + 1` is free.
        for number in 1...(taken.count + 1) {
            let candidate = fitted(base, suffix: " (\(number))" + ext, maxLength: maxLength)
            if !taken.contains(key(candidate)) { return candidate }
        }
        return fitted(base, suffix: " (\(taken.count + 2))" + ext, maxLength: maxLength)
    }

    /// How names are compared: NFC, lower-cased.
    static func key(_ name: String) -> String {
        name.precomposedStringWithCanonicalMapping.lowercased()
    }

    /// `report.pdf` → (`report`, `.pdf`); a leading dot (`.profile`) or a trailing one is no extension.
    static func split(_ name: String) -> (stem: String, ext: String) {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex, name.index(after: dot) != name.endIndex else {
            return (name, "")
        }
        return (String(name[..<dot]), String(name[dot...]))
    }

    /// `report (3)` → `report`; anything else unchanged.
    static func strippingCounter(_ stem: String) -> String {
        guard stem.hasSuffix(")"), let open = stem.range(of: " (", options: .backwards) else { return stem }
        let digits = stem[open.upperBound..<stem.index(before: stem.endIndex)]
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), open.lowerBound != stem.startIndex else {
            return stem
        }
        return String(stem[..<open.lowerBound])
    }

    /// `stem + suffix`, dropping characters from the end of the stem until it fits `maxLength` scalars.
    static func fitted(_ stem: String, suffix: String, maxLength: Int) -> String {
        var stem = stem
        while !stem.isEmpty, (stem + suffix).unicodeScalars.count > maxLength { stem.removeLast() }
        return stem + suffix
    }
}
