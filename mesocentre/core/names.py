"""Names the system keeps for itself: a platform user's Unix login, a Slurm account (and the Unix group a site
often makes of it) must never be one of them, or the platform would hand a researcher the system's own identity."""

# Debian's base accounts and groups (base-passwd), those of the services a cluster node runs (munge, slurm, the
# databases, sshd, systemd's), and the names administrators usually keep.
SYSTEM_NAMES = frozenset(
    {
        "root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy", "www-data",
        "backup", "list", "irc", "gnats", "nobody", "nogroup", "adm", "tty", "disk", "kmem", "dialout", "fax",
        "voice", "cdrom", "floppy", "tape", "sudo", "audio", "dip", "operator", "src", "shadow", "utmp", "video",
        "sasl", "plugdev", "staff", "users", "wheel", "admin", "administrator", "_apt", "messagebus", "sshd",
        "systemd-network", "systemd-resolve", "systemd-timesync", "systemd-journal", "systemd-coredump", "polkitd",
        "postgres", "mysql", "mariadb", "munge", "slurm", "slurmdbd", "slurmrestd", "nscd", "ntp", "chrony",
        "postfix", "exim", "dnsmasq", "avahi", "rpc", "statd", "nfsnobody", "ldap", "openldap", "sssd", "nslcd",
        "apache", "nginx", "httpd", "ftp", "tss", "uuidd", "landscape", "pollinate", "lxd", "docker", "podman",
    }
)  # fmt: skip


def is_system_name(name: str) -> bool:
    """True for a name the system keeps (compared in lowercase: Slurm lowercases, and so do most directories)."""
    return name.lower() in SYSTEM_NAMES or name.lower().startswith("systemd-")
