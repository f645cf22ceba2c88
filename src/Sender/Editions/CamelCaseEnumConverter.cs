using System.Text.Json;
using System.Text.Json.Serialization;

namespace Newsletter.Sender.Editions;

/// <summary>Writes a state enum in JSON as its camel-case name (<c>EditionState.Sending</c> as sending), never as a number.</summary>
public sealed class CamelCaseEnumConverter<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.CamelCase, allowIntegerValues: false) where T : struct, Enum;
