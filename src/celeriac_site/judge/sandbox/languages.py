"""The five languages the judge runs: how each is checked or compiled once, run, and bounded."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import UnknownLanguage

# py_compile turns a SyntaxError into CE at compile time; the run then loads the cached bytecode.
_PY_COMPILE = (
    "import py_compile, sys\n"
    "try:\n"
    "    py_compile.compile('main.py', cfile='main.pyc', dfile='/box/main.py', doraise=True)\n"
    "except py_compile.PyCompileError as e:\n"
    "    sys.stderr.write(e.msg)\n"
    "    sys.exit(1)\n"
)

# Small, predictable JVMs: one GC thread, C1 only (fast start), no perf file in /tmp, no cgroup probing
# (the heap is set explicitly; the box's cgroup view would only mislead it).
_JVM_FLAGS = (
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-XX:-UsePerfData",
    "-Xshare:auto",
    "-XX:-UseContainerSupport",
)


@dataclass(frozen=True)
class Language:
    """How one language is compiled and run inside the box.

    Commands are argv lists run in ``/box``; ``{tool}`` placeholders name host tools resolved at run
    time (``tools``), ``{memory_mb}`` is the run's memory limit, ``{compile_memory_mb}`` the compiler's.
    """

    key: str
    name: str
    source_name: str
    run_cmd: tuple[str, ...]
    compile_cmd: tuple[str, ...] | None = None
    artifacts: tuple[str, ...] = ()  # files the compile step must produce; "*.class" matches a family
    tools: tuple[tuple[str, str], ...] = ()  # (placeholder, path on the host; must live under /usr)
    package: str = ""  # Debian package that provides the tools, for refusal messages
    needs_cgroup: bool = False  # RLIMIT_AS cannot bound this runtime (JVM and V8 reserve huge ranges)
    address_space_overhead_mb: int = 32  # RLIMIT_AS slack for the runtime itself, when RLIMIT_AS is used
    runtime_overhead_mb: int = 0  # added to the cgroup limit for memory outside the heap (-Xmx, old space)
    extra_processes: int = 0  # threads the runtime starts on its own
    oom_markers: tuple[bytes, ...] = ()  # stderr text that means "ran out of memory" on a failed run
    check_static_size: bool = False  # native binaries: refuse static data larger than the limit
    extra_binds: tuple[str, ...] = ()  # read-only host paths the runtime needs besides /usr

    @property
    def compiled(self) -> bool:
        return self.compile_cmd is not None


LANGUAGES: dict[str, Language] = {
    "python": Language(
        key="python",
        name="Python 3",
        source_name="main.py",
        compile_cmd=("{python}", "-I", "-S", "-c", _PY_COMPILE),
        run_cmd=("{python}", "-I", "-S", "/box/main.pyc"),
        artifacts=("main.pyc",),
        tools=(("python", "/usr/bin/python3"),),
        package="python3",
        address_space_overhead_mb=48,
        oom_markers=(b"MemoryError",),
    ),
    "c": Language(
        key="c",
        name="C (gcc)",
        source_name="main.c",
        compile_cmd=("{gcc}", "-O2", "-std=gnu17", "-pipe", "-fmax-errors=20", "-o", "main", "main.c", "-lm"),
        run_cmd=("/box/main",),
        artifacts=("main",),
        tools=(("gcc", "/usr/bin/gcc"),),
        package="gcc",
        address_space_overhead_mb=16,
        check_static_size=True,
    ),
    "cpp": Language(
        key="cpp",
        name="C++ (g++)",
        source_name="main.cpp",
        compile_cmd=("{gxx}", "-O2", "-std=gnu++17", "-pipe", "-fmax-errors=20", "-o", "main", "main.cpp"),
        run_cmd=("/box/main",),
        artifacts=("main",),
        tools=(("gxx", "/usr/bin/g++"),),
        package="g++",
        address_space_overhead_mb=32,
        oom_markers=(b"std::bad_alloc",),
        check_static_size=True,
    ),
    "java": Language(
        key="java",
        name="Java 17",
        source_name="Main.java",
        compile_cmd=(
            "{javac}",
            "-J-Xmx{compile_memory_mb}m",
            *(f"-J{flag}" for flag in _JVM_FLAGS),
            "-encoding",
            "UTF-8",
            "-d",
            ".",
            "Main.java",
        ),
        run_cmd=(
            "{java}",
            "-Xmx{memory_mb}m",
            "-Xss64m",
            *_JVM_FLAGS,
            "-XX:+ExitOnOutOfMemoryError",  # end at once, with a line we read as MLE, instead of limping on
            "-cp",
            "/box",
            "Main",
        ),
        artifacts=("*.class",),
        tools=(("java", "/usr/bin/java"), ("javac", "/usr/bin/javac")),
        package="openjdk-17-jdk-headless",
        needs_cgroup=True,
        runtime_overhead_mb=160,
        extra_processes=48,
        oom_markers=(b"java.lang.OutOfMemoryError",),
        extra_binds=("/etc/java-17-openjdk",),
    ),
    "javascript": Language(
        key="javascript",
        name="JavaScript (Node.js)",
        source_name="main.js",
        compile_cmd=("{node}", "--check", "main.js"),
        run_cmd=("{node}", "--max-old-space-size={memory_mb}", "/box/main.js"),
        tools=(("node", "/usr/bin/node"),),
        package="nodejs",
        needs_cgroup=True,
        runtime_overhead_mb=96,
        extra_processes=24,
        oom_markers=(b"JavaScript heap out of memory", b"process out of memory"),
    ),
}


def get_language(key: str) -> Language:
    """The language for ``key`` (e.g. "python", "cpp"); raises UnknownLanguage listing the known keys."""
    try:
        return LANGUAGES[key]
    except (KeyError, TypeError):
        raise UnknownLanguage(str(key), sorted(LANGUAGES)) from None
