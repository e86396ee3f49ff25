import Foundation
import SessproxyCore

/// Aligned plain-text columns for terminal tables.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let rows = rows.map { $0.map(TerminalText.visible) }
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}
