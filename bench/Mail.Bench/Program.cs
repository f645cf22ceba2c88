Console.WriteLine("not yet written");
