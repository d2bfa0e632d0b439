using System.Data.Common;

namespace Keyward.Core.Storage;

/// <summary>Plain ADO.NET commands on a context's connection, for the hot paths that skip EF Core.</summary>
internal static class DbCommands
{
    /// <summary>A command on the connection, in the transaction (none when null).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "Callers build the text only from fixed identifiers and parameter names; every value is a parameter.")]
    public static DbCommand Create(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    /// <summary>Adds a named parameter; null is stored as NULL.</summary>
    public static DbParameter AddParameter(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
