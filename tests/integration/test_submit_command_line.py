"""`jug submit` as a user types it, without a cluster: every option, in both
spellings (`--opt VALUE`, `--opt=VALUE`), seen in the job script that
--dry-run prints; and each mistake refused with a message that says what
to do, a non-zero exit, and nothing queued."""

import os
import shutil

import jugtest
from redis_server import RedisServer

INTRO = os.path.join(jugtest.SOURCE_DIR, "examples", "intro", "jugfile.cpp")


class SubmitCommandLine(jugtest.BuildCacheTest):
    def setUp(self):
        super().setUp()
        shutil.copy(INTRO, self.dir)
        self.env = {"JUG_CACHE_DIR": self.cache}

    def submit(self, *args, check=None, env=None):
        return jugtest.run([jugtest.JUG, "submit", "jugfile.cpp", *args], self.dir,
                           env=dict(self.env, **(env or {})), check=check)

    def test_every_option_reaches_the_script_in_both_spellings(self):
        p = self.submit("-n", "3", "--scheduler", "slurm", "-j", "2", "--time", "1:00:00",
                        "--stop-before", "5m", "--mem", "2G", "--queue", "short", "--account",
                        "proj", "--name", "run1", "--option", "--constraint=haswell",
                        "--dry-run", "--", "extra", check=0)
        q = self.submit("--workers=3", "--scheduler=slurm", "--jobs=2", "--time=1:00:00",
                        "--stop-before=5m", "--mem=2G", "--queue=short", "--account=proj",
                        "--name=run1", "--option=--constraint=haswell", "--dry-run", "--",
                        "extra", check=0)
        # The same script but for the file it would be written to (its pid).
        strip = lambda out: [line for line in out.splitlines() if "submitting-" not in line]
        self.assertEqual(strip(p.stdout), strip(q.stdout))
        for line in ("#SBATCH --job-name=run1", "#SBATCH --cpus-per-task=2",
                     "#SBATCH --time=1:00:00", "#SBATCH --mem=2048M",
                     "#SBATCH --partition=short", "#SBATCH --account=proj",
                     "#SBATCH --constraint=haswell", "export JUG_MAX_SECONDS=3300"):
            self.assertIn(line + "\n", p.stdout)
        self.assertRegex(p.stdout, r"exec \S+/jug execute \S+/jugfile\.cpp --jugdir "
                                   r"\S+/jugfile\.jugdata -j 2 -- extra\n")
        self.assertRegex(p.stdout, r"sbatch --parsable --array=1-3 \S+/jobs/submitting-\d+\.sh")
        self.assertFalse(os.path.exists(os.path.join(self.dir, "jugfile.jugdata", "jobs")),
                         "a dry run writes nothing")

    def test_grid_engine_gets_its_parallel_environment(self):
        p = self.submit("-n", "2", "--scheduler", "sge", "-j", "4", "--pe", "threads",
                        "--dry-run", check=0)
        self.assertIn("#$ -pe threads 4\n", p.stdout)
        self.assertIn("qsub -terse -t 1-2 ", p.stdout)

    def test_mistakes_are_refused_with_what_to_do(self):
        cases = [
            (["--scheduler", "slurm"], 2, "--workers is required"),
            (["-n", "0", "--scheduler", "slurm"], 2, "whole number from 1"),
            (["-n", "2", "--scheduler", "condor"], 1, "it takes slurm, sge, pbs, torque, lsf"),
            (["-n", "2", "--scheduler", "slurm", "--time", "90"], 2, "'90' is not one"),
            (["-n", "2", "--scheduler", "slurm", "--mem", "lots"], 2, "such as 4G or 500M"),
            (["-n", "2", "--scheduler", "slurm", "--time", "10m", "--stop-before", "10m"], 1,
             "leaves no time"),
            (["-n", "2", "--scheduler", "slurm", "--stop-before", "5m"], 1, "give --time"),
        ]
        for args, code, words in cases:
            p = self.submit(*args, "--dry-run", check=code)
            self.assertIn(words, p.stderr, args)
            self.assertNotIn("secret", p.stdout + p.stderr)

    def test_a_password_in_the_stores_url_is_not_written_into_the_script(self):
        server = RedisServer(password="secret")
        try:
            url = server.url().replace("redis://", "redis://:secret@")
            p = self.submit("-n", "2", "--scheduler", "slurm", "--jugdir", url, "--dry-run",
                            check=1)
            self.assertIn("give it in JUG_REDIS_PASSWORD", p.stderr)
            self.assertNotIn("secret", p.stdout + p.stderr)
            # Given so, the script names the server alone.
            p = self.submit("-n", "2", "--scheduler", "slurm", "--jugdir", server.url(),
                            "--dry-run", check=0, env={"JUG_REDIS_PASSWORD": "secret"})
            self.assertIn(f"--jugdir {server.url()}", p.stdout)
            self.assertNotIn("secret", p.stdout)
        finally:
            server.remove()

    def test_without_a_batch_system_it_says_where_to_run_it(self):
        # A PATH with the compiler and the shell's tools, but no sbatch, qsub
        # or bsub.
        bare = os.path.join(self.dir, "bin")
        os.mkdir(bare)
        for d in ("/usr/bin", "/bin"):
            for name in os.listdir(d):
                if name not in ("sbatch", "qsub", "bsub") and not os.path.exists(
                        os.path.join(bare, name)):
                    os.symlink(os.path.join(d, name), os.path.join(bare, name))
        p = self.submit("-n", "2", check=1, env={"PATH": bare, "SGE_ROOT": ""})
        self.assertIn("no batch system found here", p.stderr)
        self.assertIn("--scheduler", p.stderr)
        # Named, the script is shown all the same.
        p = self.submit("-n", "2", "--scheduler", "lsf", "--dry-run", check=0,
                        env={"PATH": bare})
        self.assertIn("bsub -J 'jugfile[1-2]' < ", p.stdout)


if __name__ == "__main__":
    jugtest.main()
