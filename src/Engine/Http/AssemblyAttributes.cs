using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("P0fSharp.Engine.Tests")]
