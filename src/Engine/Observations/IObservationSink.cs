namespace P0fSharp.Engine.Observations;

/// <summary>Receives each completed observation (a p0f log line / terminal block).</summary>
public interface IObservationSink
{
    void Write(in Observation observation);
}
