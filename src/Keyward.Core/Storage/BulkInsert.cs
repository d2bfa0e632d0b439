namespace Keyward.Core.Storage;

/// <summary>
/// Many rows for one table, inserted with plain ADO.NET (no change tracking) by <see cref="StorageDialect.InsertAsync"/>.
/// Table and column names are fixed identifiers written in code, never input; every value is a parameter.
/// </summary>
/// <param name="Table">The table.</param>
/// <param name="Columns">Its columns, quoted as the model names them (e.g. <c>"Sequence"</c>).</param>
/// <param name="RowsPerStatement">For providers that send several rows per statement, at most this many.</param>
/// <param name="Values">Writes one row's values, in column order, into a buffer of <c>Columns.Count</c>; null is stored as NULL.</param>
internal sealed record BulkInsert<T>(string Table, IReadOnlyList<string> Columns, int RowsPerStatement, Action<T, object?[]> Values)
{
    /// <summary><c>INSERT INTO table (columns) VALUES </c>, without the rows.</summary>
    public string Head => $"INSERT INTO {Table} ({string.Join(", ", Columns)}) VALUES ";
}
