using Npgsql;

namespace SseChat.Tests.Infrastructure;

/// <summary>The real PostgreSQL and Redis servers the other tests stand on do what those tests take for granted.</summary>
public sealed class PostgresServerTests
{
    [Fact]
    public void Two_databases_of_one_server_do_not_see_each_other()
    {
        var server = PostgresServer.Shared;
        var first = server.CreateDatabase(nameof(PostgresServerTests));
        var second = server.CreateDatabase(nameof(PostgresServerTests));
        try
        {
            Assert.NotEqual(new NpgsqlConnectionStringBuilder(first).Database, new NpgsqlConnectionStringBuilder(second).Database);
            PostgresServer.Execute(first, "CREATE TABLE notes (id int); INSERT INTO notes VALUES (1), (2)");

            Assert.Equal(2, PostgresServer.QueryScalar(first, "SELECT count(*) FROM notes"));
            Assert.Equal(0, PostgresServer.QueryScalar(second, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'notes'"));
        }
        finally
        {
            server.DropDatabase(first);
            server.DropDatabase(second);
        }
    }

    [Fact]
    public void Runs_durably_and_accepts_many_connections()
    {
        var database = PostgresServer.Shared.CreateDatabase(nameof(PostgresServerTests));
        try
        {
            using var connection = new NpgsqlConnection(database);
            connection.Open();
            string Setting(string name)
            {
                using var show = new NpgsqlCommand($"SHOW {name}", connection);
                return (string)show.ExecuteScalar()!;
            }

            Assert.Equal("on", Setting("fsync"));
            Assert.Equal("on", Setting("synchronous_commit"));
            Assert.Equal("127.0.0.1", Setting("listen_addresses"));
            Assert.True(int.Parse(Setting("max_connections"), System.Globalization.CultureInfo.InvariantCulture) >= 300);
        }
        finally
        {
            PostgresServer.Shared.DropDatabase(database);
        }
    }

    [Fact]
    public async Task A_restart_keeps_committed_data_and_a_stopped_server_refuses_connections()
    {
        using var server = PostgresServer.StartNew();
        var database = server.CreateDatabase("restart");
        PostgresServer.Execute(database, "CREATE TABLE notes (id int); INSERT INTO notes VALUES (7)");
        var before = server.PostmasterPid;

        await server.RestartAsync();

        Assert.NotEqual(before, server.PostmasterPid);
        Assert.Equal(7, PostgresServer.QueryScalar(database, "SELECT id FROM notes"));

        await server.StopAsync();
        Assert.ThrowsAny<NpgsqlException>(() => PostgresServer.QueryScalar(database, "SELECT 1"));

        await server.StartAsync();
        Assert.Equal(7, PostgresServer.QueryScalar(database, "SELECT id FROM notes"));
    }
}

public sealed class RedisServerTests
{
    [Fact]
    public void The_shared_server_answers_on_loopback()
    {
        var server = RedisServer.Shared;

        Assert.Equal($"127.0.0.1:{server.Port}", server.ConnectionString);
        Assert.True(server.AnswersPing());
    }

    [Fact]
    public void A_killed_server_is_silent_until_restarted_on_the_same_port()
    {
        using var server = RedisServer.StartNew();
        var port = server.Port;

        server.Kill();
        Assert.False(server.AnswersPing());

        server.Restart();
        Assert.Equal(port, server.Port);
        Assert.True(server.AnswersPing());
    }

    [Fact]
    public void A_frozen_server_answers_nothing_until_thawed()
    {
        using var server = RedisServer.StartNew();

        using (server.Freeze())
        {
            Assert.False(server.AnswersPing(TimeSpan.FromMilliseconds(300)));
        }

        Assert.True(server.AnswersPing());
    }
}
