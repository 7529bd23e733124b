import Render

/// Where a unit fires in one image, from its map: how much of the map is above half its
/// peak (a filter that fires on a small part of a digit covers a few percent), and the
/// peak's cell. The numbers lesson 5 quotes about its dataset examples.
public struct UnitFootprint: Sendable, Equatable {
    /// The share of the map's cells above half its largest value (0 for a map that is
    /// nowhere positive).
    public let activeShare: Double
    /// The cell of the largest value (the first in reading order on ties).
    public let peakRow: Int
    public let peakColumn: Int

    public init(_ map: Heatmap) {
        var peak = 0
        for i in map.values.indices where map.values[i] > map.values[peak] { peak = i }
        let high = map.values.isEmpty ? 0 : map.values[peak]
        activeShare =
            high > 0 ? Double(map.values.filter { $0 > high / 2 }.count) / Double(map.values.count) : 0
        peakRow = map.width > 0 ? peak / map.width : 0
        peakColumn = map.width > 0 ? peak % map.width : 0
    }
}
