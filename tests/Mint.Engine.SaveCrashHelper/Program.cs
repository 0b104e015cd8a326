using System;
using System.Diagnostics;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;

// Usage: Mint.Engine.SaveCrashHelper <model folder> <checkpoint folder> <steps> <moment|none> [sampler-weights]
// Trains a session for <steps> steps exactly as CheckpointRun does and saves it (its training state,
// or with "sampler-weights" its adapters alone) over the checkpoint folder, killing this process with SIGKILL when the save reaches <moment>: no finally block, no
// flush, no cleanup runs, as when a server is killed mid-save.
var (modelFolder, checkpointFolder, steps, moment) = (args[0], args[1], int.Parse(args[2]), args[3]);
using var model = PretrainedModel.Load(modelFolder);
using var session = CheckpointRun.Train(model, steps);
if (moment != "none")
{
    var target = Enum.Parse<CheckpointFolder.Moment>(moment);
    CheckpointFolder.OnMoment = reached =>
    {
        if (reached == target)
        {
            Process.GetCurrentProcess().Kill();
        }
    };
}

if (args.Length > 4 && args[4] == "sampler-weights")
{
    session.SaveWeightsForSampler(checkpointFolder);
}
else
{
    session.SaveState(checkpointFolder);
}

Console.WriteLine("saved");
