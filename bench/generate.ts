/**
 * A deterministic generator of LKML-like mail, for the benchmark harness and for tests.
 *
 *   npx tsx bench/generate.ts --messages N --seed S --format mbox|maildir --out PATH
 *
 * The same seed gives byte-identical output. Messages are made thread by thread and streamed:
 * only a bounded window of recent messages (the ones replies, bot reports and later versions
 * of a series can refer to) is kept, so N = 1,000,000 runs in constant memory.
 *
 * Speed matters (the generator must not dominate a benchmark), which explains the shape of the
 * code: text comes from pools built once (code lines, ready-made hunks, wrapped and quoted
 * prose), a message is one join of flat one-byte strings written into a shared slab, and
 * patches keep hunk descriptors rather than text.
 *
 * The mix (see bench/README.md): about 35% patches in series (cover letters, v1..v4,
 * a few touching arch/x86/entry/syscalls/syscall_64.tbl), 55% replies (reviews, trailers,
 * scissors fixups, build logs), and 10% kernel test robot reports, [RFC PATCH] mails,
 * [GIT PULL] requests and tip-bot commit notifications.
 */
import { closeSync, mkdirSync, openSync, realpathSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface GenerateOptions {
  messages: number;
  seed: number;
}

/** What a generated message is; patch and cover are the "patches in series" share. */
export type MessageKind = 'patch' | 'cover' | 'reply' | 'robot' | 'rfc' | 'pull' | 'tipbot';

export interface GeneratedMessage {
  /** Without angle brackets. */
  messageId: string;
  /** The whole RFC 5322 message, LF line endings. A view into a shared slab: do not modify it. */
  bytes: Buffer;
  kind: MessageKind;
  /** The Date header as Unix seconds. */
  date: number;
}

export interface WriteStats {
  messages: number;
  bytes: number;
  seconds: number;
}

// ---------------------------------------------------------------------------------------------
// PRNG: sfc32 seeded through splitmix32. 128 bits of state, fast with 32-bit integer maths.

export class Rng {
  /** sfc32's a, b, c, d; a typed array keeps them unboxed. */
  private readonly s = new Int32Array(4);

  constructor(seed: number) {
    const lo = Math.floor(seed) >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    let s = (lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    for (let i = 0; i < 4; i++) this.s[i] = next();
    for (let i = 0; i < 15; i++) this.u32();
  }

  u32(): number {
    const s = this.s;
    const a = s[0];
    const b = s[1];
    const c = s[2];
    const t = (((a + b) | 0) + s[3]) | 0;
    s[3] = (s[3] + 1) | 0;
    s[0] = b ^ (b >>> 9);
    s[1] = (c + (c << 3)) | 0;
    s[2] = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  float(): number {
    return this.u32() / 4294967296;
  }

  /** 0 <= x < n */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** lo <= x <= hi */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(arr: readonly T[]): T {
    return arr[this.int(arr.length)];
  }

  /** Biased toward the start of the array (Zipf-like), for "popular" choices. */
  pickSkewed<T>(arr: readonly T[], power = 2): T {
    return arr[Math.floor(arr.length * Math.pow(this.float(), power))];
  }

  normal(): number {
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Hex digits. 12 and 40 (blob and commit ids) come from fixed pools: they need not be unique. */
  hex(n: number): string {
    if (n === 12) return HEX12[this.u32() & 8191];
    if (n === 40) return HEX40[this.u32() & 4095];
    return this.hexFresh(n);
  }

  hexFresh(n: number): string {
    let s = '';
    while (s.length < n) {
      const u = this.u32();
      s += HEX4[u & 0xffff] + HEX4[u >>> 16];
    }
    return s.length === n ? s : s.slice(0, n);
  }

  base62(n: number): string {
    let s = '';
    while (s.length < n) s += B62x2[this.int(3844)];
    return s.length === n ? s : s.slice(0, n);
  }
}

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const B62x2: string[] = Array.from({ length: 3844 }, (_, i) => B62[Math.floor(i / 62)] + B62[i % 62]);
const HEX4: string[] = Array.from({ length: 65536 }, (_, i) => i.toString(16).padStart(4, '0'));

const HEX_RNG = new Rng(0x4e7);
const HEX12: string[] = Array.from({ length: 8192 }, () => HEX_RNG.hexFresh(12));
const HEX40: string[] = Array.from({ length: 4096 }, () => HEX_RNG.hexFresh(40));

/** A bijection on 32-bit integers: distinct inputs give distinct outputs (Message-ID uniqueness rests on it). */
function mix32(x: number): number {
  x = x >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

function b62fixed(x: number, width: number): string {
  let s = '';
  for (let i = 0; i < width; i++) {
    s = B62[x % 62] + s;
    x = Math.floor(x / 62);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

const FIRST = [
  'Thomas', 'Ingo', 'Peter', 'Borislav', 'Dave', 'Andy', 'Greg', 'Arnd', 'Kees', 'Christian', 'Jan', 'Josef', 'David', 'Jakub',
  'Eric', 'Paolo', 'Jens', 'Christoph', 'Matthew', 'Andrew', 'Vlastimil', 'Mel', 'Johannes', 'Michal', 'Sean', 'Paul', 'Steven',
  'Masami', 'Mark', 'Will', 'Catalin', 'Marc', 'Rob', 'Krzysztof', 'Bjorn', 'Mika', 'Heiner', 'Hans', 'Takashi', 'Mauro',
  'Laurent', 'Sakari', 'Daniel', 'Maxime', 'Jani', 'Ville', 'Alex', 'Harry', 'Nathan', 'Nick', 'Miguel', 'Masahiro', 'Stephen',
  'Dan', 'Jason', 'Leon', 'Saeed', 'Tariq', 'Vladimir', 'Florian', 'Andrii', 'Alexei', 'Yonghong', 'Martin', 'Song', 'John',
  'Tejun', 'Waiman', 'Frederic', 'Juri', 'Vincent', 'Dietmar', 'Valentin', 'Ard', 'Sami', 'Nicolas', 'Geert', 'Wolfram',
  'Guenter', 'Jonathan', 'Lee', 'Shuah', 'Randy', 'Baoquan', 'Chen', 'Wei', 'Yang', 'Li', 'Xin', 'Hao', 'Kefeng', 'Qi', 'Ming',
  'Huacai', 'Sudeep', 'Lorenzo', 'Liam', 'Suren', 'Hugh', 'Yosry', 'Nhat', 'Barry', 'Ryan', 'Zi', 'Joel', 'Dmitry', 'Konstantin',
  'Oleg', 'Alexander', 'Sergey', 'Igor', 'Yury', 'Ilya', 'Anup', 'Palmer', 'Conor', 'Björn', 'André', 'Jérôme', 'Rafał',
  'Łukasz', 'Michał', 'Uwe', 'Ilpo', 'Zoltán', 'Jiří', 'Toke', 'Hervé', 'Sébastien', 'Clément', 'Gaël', 'Amir', 'Miklos',
  'Darrick', 'Dave', 'Ritesh', 'Ojaswin', 'Srinivas', 'Rafael', 'Viresh', 'Ulf', 'Linus', 'Bartosz', 'Dominik', 'Brian',
];

const LAST = [
  'Gleixner', 'Molnar', 'Zijlstra', 'Petkov', 'Hansen', 'Lutomirski', 'Kroah-Hartman', 'Bergmann', 'Cook', 'Brauner', 'Kara',
  'Bacik', 'Sterba', 'Kicinski', 'Dumazet', 'Abeni', 'Axboe', 'Hellwig', 'Wilcox', 'Morton', 'Babka', 'Gorman', 'Weiner',
  'Hocko', 'Christopherson', 'McKenney', 'Rostedt', 'Hiramatsu', 'Rutland', 'Deacon', 'Marinas', 'Zyngier', 'Herring',
  'Kozlowski', 'Helgaas', 'Westerberg', 'Kallweit', 'de Goede', 'Iwai', 'Chehab', 'Pinchart', 'Ailus', 'Vetter', 'Ripard',
  'Nikula', 'Syrjälä', 'Deucher', 'Wentland', 'Chancellor', 'Desaulniers', 'Ojeda', 'Yamada', 'Rothwell', 'Carpenter',
  'Gunthorpe', 'Romanovsky', 'Mahameed', 'Toukan', 'Oltean', 'Fainelli', 'Nakryiko', 'Starovoitov', 'Lau', 'Liu', 'Fastabend',
  'Heo', 'Long', 'Weisbecker', 'Lelli', 'Guittot', 'Eggemann', 'Schneider', 'Biesheuvel', 'Tolvanen', 'Pitre', 'Uytterhoeven',
  'Sang', 'Roeck', 'Cameron', 'Jones', 'Khan', 'Dunlap', 'He', 'Yu', 'Wang', 'Zhao', 'Huang', 'Chen', 'Xu', 'Sun', 'Lei',
  'Yang', 'Zhou', 'Holla', 'Stoakes', 'Howlett', 'Baghdasaryan', 'Dickins', 'Ahmed', 'Pham', 'Roberts', 'Yan', 'Fernandes',
  'Vyukov', 'Khlebnikov', 'Nesterov', 'Potapenko', 'Senozhatsky', 'Norov', 'Patel', 'Dabbelt', 'Dooley', 'Töpel', 'Almeida',
  'Glisse', 'Miłecki', 'Kleine-König', 'Järvinen', 'Weißschuh', 'Høiland-Jørgensen', 'Bénard', 'Léger', 'Slaby', 'Riel',
  'Zhu', 'Goldstein', 'Szeredi', 'Wong', 'Chinner', 'Harjani', 'Mishra', 'Kandagatla', 'Wysocki', 'Kumar', 'Hansson',
  'Walleij', 'Golaszewski', 'Brodowski', 'Foster', 'Gerst', 'Frysinger', 'Jiang', 'Ma', 'Guo', 'Tang', 'Lin', 'Hu',
];

const DOMAINS = [
  'kernel.org', 'redhat.com', 'intel.com', 'google.com', 'suse.com', 'suse.de', 'gmail.com', 'linaro.org', 'arm.com',
  'oracle.com', 'amd.com', 'nvidia.com', 'huawei.com', 'collabora.com', 'linutronix.de', 'infradead.org', 'linux.ibm.com',
  'meta.com', 'bytedance.com', 'linux.alibaba.com', 'samsung.com', 'linux.microsoft.com', 'chromium.org', 'bootlin.com',
  'pengutronix.de', 'rivosinc.com', 'canonical.com', 'linux.dev', 'broadcom.com', 'qualcomm.com',
];

const HOSTS = ['casper.infradead.org', 'gmail.com', 'localhost.localdomain', 'nanos.tec.linutronix.de', 'gmail.com', 'kernel.org', 'pc', 'thinkpad', 'debian', 'fedora'];
const TZS = [-480, -420, -300, -240, 0, 60, 120, 180, 330, 480, 540, 600, 60, 120, -420, 480];
const TAGS = ['v6.1', 'v6.2-rc1', 'v6.2', 'v6.3-rc1', 'v6.3-rc4', 'v6.3', 'v6.4-rc1', 'v6.4', 'v6.5-rc1', 'v6.5-rc3', 'v6.5', 'v6.6-rc1', 'v6.6-rc5'];
const ERRNOS = ['EINVAL', 'ENOMEM', 'EBUSY', 'EFAULT', 'ENODEV', 'EOPNOTSUPP', 'EAGAIN', 'EIO', 'ENOENT', 'EPERM', 'ENOSPC', 'ETIMEDOUT'];
const FIELDS = ['flags', 'state', 'count', 'refcnt', 'list', 'node', 'dev', 'ops', 'priv', 'len', 'size', 'index', 'mask', 'timeout', 'work', 'entry', 'pending', 'owner', 'gen', 'id', 'cookie', 'nr_pages', 'base', 'cpu', 'mode', 'seq'];
const SUFFIXES = [
  'init', 'exit', 'probe', 'remove', 'alloc', 'free', 'get', 'put', 'lookup', 'update', 'release', 'setup', 'handle_irq', 'flush',
  'reset', 'resume', 'suspend', 'start', 'stop', 'open', 'close', 'read', 'write', 'prepare', 'commit', 'validate', 'parse',
  'map', 'unmap', 'enable', 'disable', 'register', 'unregister', 'check', 'wait', 'wake_up', 'attach', 'detach', 'destroy',
  'create', 'queue_work', 'complete', 'fill_info', 'set_state', 'get_state', 'insert', 'erase', 'walk', 'copy', 'clear',
];
const MACROS = ['MAX_ENTRIES', 'PAGE_SIZE', 'SZ_4K', 'NR_CPUS', 'HZ', 'BIT(0)', 'GENMASK(7, 0)', 'U32_MAX', 'BITS_PER_LONG', 'ULONG_MAX'];

interface SubsysDef {
  key: string;
  prefixes: string[];
  /** Capitalise the word after the prefix ("x86/entry: Fix ...") as tip and some others do. */
  upper: boolean;
  files: string[];
  stems: string[];
  /** "struct_name:var" */
  structs: string[];
  nouns: string[];
  configs: string[];
  lists: string[];
  /** The tree the kernel test robot names as base. */
  base: string;
  /** For [GIT PULL]: repository and the branch-ish name used in tags. */
  repo: string;
  pullName: string;
  tip?: string[];
  weight: number;
}

const SUBSYSTEMS: SubsysDef[] = [
  {
    key: 'x86', prefixes: ['x86/entry', 'x86/syscalls', 'x86/cpu', 'x86/mm', 'x86/fpu'], upper: true,
    files: ['arch/x86/entry/common.c', 'arch/x86/entry/syscall_64.c', 'arch/x86/include/asm/syscall_wrapper.h', 'arch/x86/kernel/cpu/common.c', 'arch/x86/mm/tlb.c', 'arch/x86/kernel/fpu/core.c', 'arch/x86/include/asm/processor.h', 'arch/x86/kernel/process_64.c'],
    stems: ['do_syscall', 'syscall', 'x64_sys', 'fpu', 'flush_tlb', 'cpu', 'x86_pmu', 'sev'],
    structs: ['pt_regs:regs', 'cpuinfo_x86:c', 'fpu:fpu', 'mm_struct:mm', 'task_struct:tsk'],
    nouns: ['syscall wrappers', 'pt_regs based syscalls', 'vsyscall emulation', 'FPU state handling', 'TLB flushing', 'CPU feature detection', 'shadow stacks', 'the entry code'],
    configs: ['CONFIG_X86_64', 'CONFIG_IA32_EMULATION', 'CONFIG_X86_X32_ABI', 'CONFIG_PARAVIRT', 'CONFIG_X86_USER_SHADOW_STACK'],
    lists: ['x86@kernel.org', 'linux-kernel@vger.kernel.org'], base: 'tip/x86/core',
    repo: 'git://git.kernel.org/pub/scm/linux/kernel/git/tip/tip.git', pullName: 'x86-urgent',
    tip: ['x86/entry', 'x86/urgent', 'x86/cpu', 'x86/mm', 'x86/fpu', 'x86/core'], weight: 8,
  },
  {
    key: 'sched', prefixes: ['sched/fair', 'sched/core', 'sched/deadline', 'sched'], upper: true,
    files: ['kernel/sched/fair.c', 'kernel/sched/core.c', 'kernel/sched/deadline.c', 'kernel/sched/rt.c', 'kernel/sched/sched.h', 'include/linux/sched.h'],
    stems: ['sched', 'update_curr', 'pick_next', 'enqueue', 'dequeue', 'place_entity', 'cfs_rq', 'dl_server'],
    structs: ['rq:rq', 'task_struct:p', 'sched_entity:se', 'cfs_rq:cfs_rq', 'sched_dl_entity:dl_se'],
    nouns: ['EEVDF lag handling', 'load balancing', 'the deadline server', 'util clamping', 'NUMA balancing', 'core scheduling'],
    configs: ['CONFIG_SMP', 'CONFIG_FAIR_GROUP_SCHED', 'CONFIG_NUMA_BALANCING', 'CONFIG_SCHED_CORE'],
    lists: ['linux-kernel@vger.kernel.org'], base: 'tip/sched/core',
    repo: 'git://git.kernel.org/pub/scm/linux/kernel/git/tip/tip.git', pullName: 'sched-core', tip: ['sched/core', 'sched/urgent'], weight: 4,
  },
  {
    key: 'locking', prefixes: ['locking/mutex', 'locking/rwsem', 'futex', 'lockdep'], upper: true,
    files: ['kernel/locking/mutex.c', 'kernel/locking/rwsem.c', 'kernel/locking/lockdep.c', 'kernel/futex/core.c', 'kernel/futex/syscalls.c', 'include/linux/mutex.h'],
    stems: ['mutex', 'rwsem', 'lockdep', 'futex', 'lock_acquire', 'osq'],
    structs: ['mutex:lock', 'rw_semaphore:sem', 'futex_q:q', 'lockdep_map:map', 'futex_hash_bucket:hb'],
    nouns: ['optimistic spinning', 'futex hashing', 'lock class registration', 'the handoff logic', 'futex2 syscalls'],
    configs: ['CONFIG_DEBUG_LOCKDEP', 'CONFIG_PREEMPT_RT', 'CONFIG_LOCK_STAT', 'CONFIG_FUTEX_PI'],
    lists: ['linux-kernel@vger.kernel.org'], base: 'tip/locking/core',
    repo: 'git://git.kernel.org/pub/scm/linux/kernel/git/tip/tip.git', pullName: 'locking-core', tip: ['locking/core', 'locking/urgent'], weight: 3,
  },
  {
    key: 'timers', prefixes: ['hrtimer', 'timers', 'tick/nohz', 'posix-timers'], upper: true,
    files: ['kernel/time/hrtimer.c', 'kernel/time/timer.c', 'kernel/time/tick-sched.c', 'kernel/time/posix-timers.c', 'include/linux/hrtimer.h'],
    stems: ['hrtimer', 'tick_nohz', 'timer', 'clockevents', 'posix_timer'],
    structs: ['hrtimer:timer', 'tick_sched:ts', 'timer_list:t', 'k_itimer:timr'],
    nouns: ['timer migration', 'NOHZ idle accounting', 'posix timer signal delivery', 'hrtimer rearming'],
    configs: ['CONFIG_NO_HZ_COMMON', 'CONFIG_HIGH_RES_TIMERS', 'CONFIG_POSIX_TIMERS'],
    lists: ['linux-kernel@vger.kernel.org'], base: 'tip/timers/core',
    repo: 'git://git.kernel.org/pub/scm/linux/kernel/git/tip/tip.git', pullName: 'timers-core', tip: ['timers/core', 'timers/urgent'], weight: 2,
  },
  {
    key: 'mm', prefixes: ['mm', 'mm/mremap', 'mm/page_alloc', 'mm/vmscan', 'mm/hugetlb', 'mm/slub'], upper: false,
    files: ['mm/mremap.c', 'mm/mmap.c', 'mm/memory.c', 'mm/page_alloc.c', 'mm/vmscan.c', 'mm/hugetlb.c', 'mm/slub.c', 'include/linux/mm.h', 'mm/internal.h'],
    stems: ['vma', 'folio', 'mremap', 'alloc_pages', 'shrink', 'hugetlb', 'slab', 'mmap_region', 'zap_pte'],
    structs: ['vm_area_struct:vma', 'mm_struct:mm', 'folio:folio', 'page:page', 'zone:zone', 'kmem_cache:s'],
    nouns: ['VMA merging', 'folio conversion', 'large folio swapin', 'mremap() shrinking', 'per-VMA locking', 'memory tiering', 'slab freelist hardening'],
    configs: ['CONFIG_TRANSPARENT_HUGEPAGE', 'CONFIG_HUGETLB_PAGE', 'CONFIG_MEMCG', 'CONFIG_NUMA', 'CONFIG_PER_VMA_LOCK'],
    lists: ['linux-mm@kvack.org', 'linux-kernel@vger.kernel.org'], base: 'akpm-mm/mm-everything',
    repo: 'git://git.kernel.org/pub/scm/linux/kernel/git/akpm/mm.git', pullName: 'mm-stable', weight: 10,
  },
  {
    key: 'net', prefixes: ['net', 'tcp', 'ipv6', 'net: sched', 'udp'], upper: false,
    files: ['net/ipv4/tcp.c', 'net/ipv4/tcp_input.c', 'net/core/dev.c', 'net/core/skbuff.c', 'net/ipv6/route.c', 'include/net/sock.h', 'net/sched/sch_generic.c'],
    stems: ['tcp', 'skb', 'sk', 'dev_queue', 'ip6_route', 'udp', 'qdisc', 'netif'],
    structs: ['sk_buff:skb', 'sock:sk', 'net_device:dev', 'tcp_sock:tp', 'Qdisc:sch'],
    nouns: ['GRO for UDP tunnels', 'TCP receive autotuning', 'the device refcount tracker', 'page pool recycling', 'RPS steering'],
    configs: ['CONFIG_IPV6', 'CONFIG_NET_SCHED', 'CONFIG_XFRM', 'CONFIG_RPS'],
    lists: ['netdev@vger.kernel.org', 'linux-kernel@vger.kernel.org'], base: 'net-next/main',
    repo: 'git://git.kernel.org/pub/scm/linux/kernel/git/netdev/net.git', pullName: 'net', weight: 9,
  },
  {
    key: 'eth', prefixes: ['ice', 'net/mlx5e', 'r8169', 'net: stmmac', 'igc'], upper: false,
    files: ['drivers/net/ethernet/intel/ice/ice_main.c', 'drivers/net/ethernet/intel/ice/ice_txrx.c', 'drivers/net/ethernet/mellanox/mlx5/core/en_main.c', 'drivers/net/ethernet/stmicro/stmmac/stmmac_main.c', 'drivers/net/ethernet/realtek/r8169_main.c', 'drivers/net/ethernet/intel/igc/igc_main.c'],
    stems: ['ice_vsi', 'mlx5e', 'rtl8169', 'stmmac', 'igc', 'ice_ring'],
    structs: ['ice_vsi:vsi', 'mlx5e_priv:priv', 'rtl8169_private:tp', 'stmmac_priv:priv', 'igc_adapter:adapter'],
    nouns: ['XDP multi-buffer support', 'RSS configuration', 'ethtool stats', 'PTP timestamping', 'devlink reload'],
    configs: ['CONFIG_ICE', 'CONFIG_MLX5_CORE_EN', 'CONFIG_R8169', 'CONFIG_PTP_1588_CLOCK'],
    lists: ['netdev@vger.kernel.org', 'intel-wired-lan@lists.osuosl.org', 'linux-kernel@vger.kernel.org'], base: 'net-next/main',
    repo: 'git://git.kernel.org/pub/scm/linux/kernel/git/tnguy/next-queue.git', pullName: 'net-queue', weight: 6,
  },
  {
    key: 'vfs', prefixes: ['fs', 'vfs', 'namei', 'fs/xattr', 'pidfd'], upper: false,
    files: ['fs/namei.c', 'fs/open.c', 'fs/namespace.c', 'fs/xattr.c', 'fs/file.c', 'fs/pidfs.c', 'include/linux/fs.h', 'fs/file_attr.c'],
    stems: ['vfs', 'path', 'do_sys_open', 'xattr', 'mnt', 'fd', 'pidfd', 'file_attr'],
    structs: ['inode:inode', 'file:file', 'dentry:dentry', 'super_block:sb', 'vfsmount:mnt', 'path:path'],
    nouns: ['idmapped mounts', 'the new mount API', 'file attribute syscalls', 'pidfd info', 'extended attribute handling', 'fsnotify hooks'],
    configs: ['CONFIG_FS_POSIX_ACL', 'CONFIG_FSNOTIFY', 'CONFIG_SECURITY', 'CONFIG_UNIX98_PTYS'],
    lists: ['linux-fsdevel@vger.kernel.org', 'linux-kernel@vger.kernel.org'], base: 'brauner-vfs/vfs.all',
    repo: 'git://git.kernel.org/pub/scm/linux/kernel/git/vfs/vfs.git', pullName: 'vfs', weight: 6,
  },
  {
    key: 'btrfs', prefixes: ['btrfs'], upper: false,
    files: ['fs/btrfs/inode.c', 'fs/btrfs/extent_io.c', 'fs/btrfs/volumes.c', 'fs/btrfs/ctree.c', 'fs/btrfs/disk-io.c', 'fs/btrfs/ctree.h'],
    stems: ['btrfs', 'btrfs_extent', 'btrfs_chunk', 'btrfs_tree'],
    structs: ['btrfs_fs_info:fs_info', 'btrfs_inode:inode', 'extent_buffer:eb', 'btrfs_root:root', 'btrfs_path:path'],
    nouns: ['extent map shrinking', 'RAID stripe tree', 'zoned mode allocation', 'scrub', 'subpage support'],
    configs: ['CONFIG_BTRFS_FS', 'CONFIG_BTRFS_DEBUG', 'CONFIG_BTRFS_ASSERT'],
    lists: ['linux-btrfs@vger.kernel.org'], base: 'kdave/for-next',
    repo: 'git://git.kernel.org/pub/scm/linux/kernel/git/kdave/linux.git', pullName: 'btrfs', weight: 4,
  },
  {
    key: 'ext4', prefixes: ['ext4', 'jbd2'], upper: false,
    files: ['fs/ext4/inode.c', 'fs/ext4/extents.c', 'fs/ext4/super.c', 'fs/ext4/mballoc.c', 'fs/jbd2/transaction.c'],
    stems: ['ext4', 'ext4_mb', 'ext4_ext', 'jbd2'],
    structs: ['super_block:sb', 'ext4_sb_info:sbi', 'inode:inode', 'handle_t:handle', 'ext4_allocation_context:ac'],
    nouns: ['fast commit replay', 'the block allocator', 'atomic writes', 'orphan handling'],
    configs: ['CONFIG_EXT4_FS', 'CONFIG_EXT4_DEBUG', 'CONFIG_FS_ENCRYPTION'],
    lists: ['linux-ext4@vger.kernel.org'], base: 'tytso-ext4/dev',
    repo: 'git://git.kernel.org/pub/scm/linux/kernel/git/tytso/ext4.git', pullName: 'ext4', weight: 3,
  },
  {
    key: 'drm', prefixes: ['drm/i915', 'drm/amd/display', 'drm/msm', 'drm/panel', 'drm/xe'], upper: false,
    files: ['drivers/gpu/drm/i915/display/intel_display.c', 'drivers/gpu/drm/i915/gem/i915_gem_object.c', 'drivers/gpu/drm/amd/display/dc/core/dc.c', 'drivers/gpu/drm/msm/msm_gem.c', 'drivers/gpu/drm/drm_atomic.c', 'drivers/gpu/drm/xe/xe_bo.c'],
    stems: ['intel_display', 'i915_gem', 'dc', 'msm_gem', 'drm_atomic', 'xe_bo'],
    structs: ['drm_device:dev', 'intel_crtc:crtc', 'dc_state:context', 'drm_gem_object:obj', 'xe_bo:bo'],
    nouns: ['DSC support', 'the atomic commit path', 'GEM object eviction', 'panel self refresh', 'GuC submission'],
    configs: ['CONFIG_DRM_I915', 'CONFIG_DRM_AMD_DC', 'CONFIG_DRM_MSM', 'CONFIG_DRM_XE'],
    lists: ['dri-devel@lists.freedesktop.org', 'intel-gfx@lists.freedesktop.org', 'linux-kernel@vger.kernel.org'], base: 'drm-misc/drm-misc-next',
    repo: 'git://anongit.freedesktop.org/drm/drm', pullName: 'drm-fixes', weight: 9,
  },
  {
    key: 'bpf', prefixes: ['bpf', 'libbpf', 'selftests/bpf', 'bpftool'], upper: false,
    files: ['kernel/bpf/verifier.c', 'kernel/bpf/syscall.c', 'kernel/bpf/btf.c', 'tools/lib/bpf/libbpf.c', 'kernel/bpf/helpers.c', 'include/linux/bpf.h'],
    stems: ['bpf', 'check_helper', 'btf', 'bpf_prog', 'bpf_map', 'libbpf'],
    structs: ['bpf_verifier_env:env', 'bpf_prog:prog', 'bpf_map:map', 'btf:btf', 'bpf_reg_state:reg'],
    nouns: ['arena maps', 'precision tracking', 'BTF dedup', 'kfunc registration', 'struct_ops'],
    configs: ['CONFIG_BPF_SYSCALL', 'CONFIG_BPF_JIT', 'CONFIG_DEBUG_INFO_BTF'],
    lists: ['bpf@vger.kernel.org', 'netdev@vger.kernel.org'], base: 'bpf-next/master',
    repo: 'git://git.kernel.org/pub/scm/linux/kernel/git/bpf/bpf-next.git', pullName: 'bpf-next', weight: 6,
  },
  {
    key: 'usb', prefixes: ['usb: dwc3', 'usb: xhci', 'usb: typec', 'usb: gadget'], upper: false,
    files: ['drivers/usb/dwc3/core.c', 'drivers/usb/dwc3/gadget.c', 'drivers/usb/host/xhci.c', 'drivers/usb/host/xhci-ring.c', 'drivers/usb/typec/tcpm/tcpm.c'],
    stems: ['dwc3', 'xhci', 'tcpm', 'usb_gadget'],
    structs: ['dwc3:dwc', 'xhci_hcd:xhci', 'tcpm_port:port', 'usb_gadget:gadget', 'urb:urb'],
    nouns: ['runtime PM', 'the event ring', 'role switching', 'USB4 tunneling'],
    configs: ['CONFIG_USB_DWC3', 'CONFIG_USB_XHCI_HCD', 'CONFIG_TYPEC_TCPM', 'CONFIG_PM'],
    lists: ['linux-usb@vger.kernel.org', 'linux-kernel@vger.kernel.org'], base: 'usb/usb-testing',
    repo: 'git://git.kernel.org/pub/scm/linux/kernel/git/gregkh/usb.git', pullName: 'usb', weight: 5,
  },
  {
    key: 'arm64', prefixes: ['arm64', 'arm64/mm', 'KVM: arm64', 'arm64: entry'], upper: false,
    files: ['arch/arm64/kernel/entry-common.c', 'arch/arm64/kernel/process.c', 'arch/arm64/mm/fault.c', 'arch/arm64/kvm/arm.c', 'arch/arm64/include/asm/pgtable.h'],
    stems: ['el0', 'arm64', 'kvm_arch', 'do_page_fault', 'gic'],
    structs: ['pt_regs:regs', 'kvm_vcpu:vcpu', 'mm_struct:mm', 'task_struct:tsk'],
    nouns: ['pointer authentication', 'GCS support', 'nested virtualization', 'contpte mappings'],
    configs: ['CONFIG_ARM64_PTR_AUTH', 'CONFIG_ARM64_GCS', 'CONFIG_KVM', 'CONFIG_ARM64_64K_PAGES'],
    lists: ['linux-arm-kernel@lists.infradead.org', 'linux-kernel@vger.kernel.org'], base: 'arm64/for-next/core',
    repo: 'git://git.kernel.org/pub/scm/linux/kernel/git/arm64/linux.git', pullName: 'arm64-fixes', weight: 5,
  },
  {
    key: 'kbuild', prefixes: ['kbuild', 'modpost', 'kconfig'], upper: false,
    files: ['scripts/mod/modpost.c', 'scripts/kconfig/confdata.c', 'scripts/kconfig/symbol.c', 'scripts/basic/fixdep.c'],
    stems: ['modpost', 'conf', 'sym', 'fixdep'],
    structs: ['module:mod', 'symbol:sym', 'menu:menu', 'buffer:buf'],
    nouns: ['section mismatch checks', 'the choice value logic', 'module versioning', 'dependency tracking'],
    configs: ['CONFIG_MODVERSIONS', 'CONFIG_LTO_CLANG', 'CONFIG_WERROR'],
    lists: ['linux-kbuild@vger.kernel.org', 'linux-kernel@vger.kernel.org'], base: 'masahiroy-kbuild/for-next',
    repo: 'git://git.kernel.org/pub/scm/linux/kernel/git/masahiroy/linux-kbuild.git', pullName: 'kbuild', weight: 2,
  },
  {
    key: 'iio', prefixes: ['iio: adc', 'iio: imu', 'iio: light', 'iio: core'], upper: false,
    files: ['drivers/iio/adc/ad7192.c', 'drivers/iio/imu/bmi160/bmi160_core.c', 'drivers/iio/light/vcnl4000.c', 'drivers/iio/industrialio-core.c'],
    stems: ['ad7192', 'bmi160', 'vcnl4000', 'iio_device'],
    structs: ['iio_dev:indio_dev', 'ad7192_state:st', 'bmi160_data:data', 'iio_chan_spec:chan'],
    nouns: ['buffered capture', 'the calibration scale', 'runtime PM', 'device tree bindings'],
    configs: ['CONFIG_AD7192', 'CONFIG_BMI160', 'CONFIG_IIO_BUFFER'],
    lists: ['linux-iio@vger.kernel.org', 'linux-kernel@vger.kernel.org'], base: 'jic23-iio/togreg',
    repo: 'git://git.kernel.org/pub/scm/linux/kernel/git/jic23/iio.git', pullName: 'iio', weight: 3,
  },
];

// ---------------------------------------------------------------------------------------------
// The x86-64 syscall table, enough of it to make real-looking hunks.

const SYSCALLS_LOW: [string, string, string][] = [
  ['common', 'read', 'sys_read'], ['common', 'write', 'sys_write'], ['common', 'open', 'sys_open'], ['common', 'close', 'sys_close'],
  ['common', 'stat', 'sys_newstat'], ['common', 'fstat', 'sys_newfstat'], ['common', 'lstat', 'sys_newlstat'], ['common', 'poll', 'sys_poll'],
  ['common', 'lseek', 'sys_lseek'], ['common', 'mmap', 'sys_mmap'], ['common', 'mprotect', 'sys_mprotect'], ['common', 'munmap', 'sys_munmap'],
  ['common', 'brk', 'sys_brk'], ['64', 'rt_sigaction', 'sys_rt_sigaction'], ['common', 'rt_sigprocmask', 'sys_rt_sigprocmask'],
  ['64', 'rt_sigreturn', 'sys_rt_sigreturn'], ['64', 'ioctl', 'sys_ioctl'], ['common', 'pread64', 'sys_pread64'], ['common', 'pwrite64', 'sys_pwrite64'],
  ['64', 'readv', 'sys_readv'], ['64', 'writev', 'sys_writev'], ['common', 'access', 'sys_access'], ['common', 'pipe', 'sys_pipe'],
  ['common', 'select', 'sys_select'], ['common', 'sched_yield', 'sys_sched_yield'], ['common', 'mremap', 'sys_mremap'], ['common', 'msync', 'sys_msync'],
  ['common', 'mincore', 'sys_mincore'], ['common', 'madvise', 'sys_madvise'], ['common', 'shmget', 'sys_shmget'], ['common', 'shmat', 'sys_shmat'],
  ['common', 'shmctl', 'sys_shmctl'], ['common', 'dup', 'sys_dup'], ['common', 'dup2', 'sys_dup2'], ['common', 'pause', 'sys_pause'],
  ['common', 'nanosleep', 'sys_nanosleep'], ['common', 'getitimer', 'sys_getitimer'], ['common', 'alarm', 'sys_alarm'], ['common', 'setitimer', 'sys_setitimer'],
  ['common', 'getpid', 'sys_getpid'], ['common', 'sendfile', 'sys_sendfile64'], ['common', 'socket', 'sys_socket'], ['common', 'connect', 'sys_connect'],
  ['common', 'accept', 'sys_accept'], ['common', 'sendto', 'sys_sendto'], ['64', 'recvfrom', 'sys_recvfrom'], ['64', 'sendmsg', 'sys_sendmsg'],
  ['64', 'recvmsg', 'sys_recvmsg'], ['common', 'shutdown', 'sys_shutdown'], ['common', 'bind', 'sys_bind'], ['common', 'listen', 'sys_listen'],
  ['common', 'getsockname', 'sys_getsockname'], ['common', 'getpeername', 'sys_getpeername'], ['common', 'socketpair', 'sys_socketpair'],
  ['64', 'setsockopt', 'sys_setsockopt'], ['64', 'getsockopt', 'sys_getsockopt'], ['common', 'clone', 'sys_clone'], ['common', 'fork', 'sys_fork'],
  ['common', 'vfork', 'sys_vfork'], ['64', 'execve', 'sys_execve'], ['common', 'exit', 'sys_exit'],
];
const SYSCALLS_HIGH_FROM = 424;
const SYSCALLS_HIGH = [
  'pidfd_send_signal', 'io_uring_setup', 'io_uring_enter', 'io_uring_register', 'open_tree', 'move_mount', 'fsopen', 'fsconfig', 'fsmount',
  'fspick', 'pidfd_open', 'clone3', 'close_range', 'openat2', 'pidfd_getfd', 'faccessat2', 'process_madvise', 'epoll_pwait2',
  'mount_setattr', 'quotactl_fd', 'landlock_create_ruleset', 'landlock_add_rule', 'landlock_restrict_self', 'memfd_secret',
  'process_mrelease', 'futex_waitv', 'set_mempolicy_home_node', 'cachestat', 'fchmodat2', 'map_shadow_stack', 'futex_wake',
  'futex_wait', 'futex_requeue', 'statmount', 'listmount', 'lsm_get_self_attr', 'lsm_set_self_attr', 'lsm_list_modules', 'mseal',
  'setxattrat', 'getxattrat', 'listxattrat', 'removexattrat', 'open_tree_attr', 'file_getattr', 'file_setattr',
];
const NEW_SYSCALLS = [
  'fsinfo', 'process_ctl', 'getfsxattrat', 'set_robust_list2', 'uretprobe', 'pidfd_info', 'watch_mount', 'map_guard_pages', 'clone4',
  'readfile', 'mount_notify', 'sched_getattr2', 'futex_lock', 'memfd_restricted', 'uffd_register', 'statx2', 'openat3', 'landlock_add_rule2',
];
const TBL = 'arch/x86/entry/syscalls/syscall_64.tbl';

function tblRow(nr: number, abi: string, name: string, entry: string): string {
  let col = 16 + name.length;
  let tabs = '';
  do {
    tabs += '\t';
    col = (Math.floor(col / 8) + 1) * 8;
  } while (col < 40);
  return `${nr}\t${abi}\t${name}${tabs}${entry}`;
}

/** Line number (1-based) of a row in the 5.x-era syscall_64.tbl: a 10-line header, rows 0..334, then 424... */
function tblLine(nr: number): number {
  return nr <= 334 ? 11 + nr : 346 + (nr - SYSCALLS_HIGH_FROM);
}

function highRow(nr: number): string {
  const name = SYSCALLS_HIGH[nr - SYSCALLS_HIGH_FROM];
  return tblRow(nr, name === 'map_shadow_stack' ? '64' : 'common', name, `sys_${name}`);
}

// ---------------------------------------------------------------------------------------------
// Code pools: per subsystem, a few thousand lines of plausible C that diffs take slices of.

interface CodePool {
  lines: string[];
  /** For each line, the index of the function signature it belongs to (-1 outside functions). */
  funcOf: Int32Array;
  /** For each line, the index in funcs of the function it belongs to (-1 outside functions). */
  fnOf: Int32Array;
  funcs: string[];
  /**
   * All lines joined, each prefixed for a diff (' ', '+', '-') and ended by '\n'. The prefixes
   * have the same length, so off[i] is where line i starts in each: a run of lines is one slice.
   */
  ctxAll: string;
  addAll: string;
  delAll: string;
  off: Int32Array;
  /** The same, quoted ("> " before each line): line i starts at off[i] + 2 * i. */
  qctxAll: string;
  qaddAll: string;
  qdelAll: string;
  /** Lines an error message can point at (a call or an assignment). */
  callish: Uint8Array;
  /** Per line, for compiler messages: the first function it calls, its indent, and the line with tabs expanded. */
  callName: string[];
  indent: Uint8Array;
  expanded: string[];
  /** Ready-made hunks: diffs pick these and only write the @@ line, which depends on position. */
  shapes: HunkShape[];
}

/**
 * A hunk body: three lines of context, `del` removed lines, `add` added ones (taken from elsewhere
 * in the pool), three lines of context. `p` and `q` locate them in the pool for quoting.
 */
interface HunkShape {
  p: number;
  q: number;
  del: number;
  add: number;
  /** The lines, prefixed and newline-terminated, plain and as a reply quotes them. */
  text: string;
  qtext: string;
  /** About how many bytes the hunk takes with its @@ line. */
  size: number;
  /**
   * The @@ line is "@@ -" oldStart mid newStart tail: mid (",7 +") and tail (",8 @@ context\n"
   * followed by the lines) are made once, so rendering a hunk pushes five flat strings.
   */
  mid: string;
  tail: string;
  qtail: string;
  /** " <function signature>" after the @@ line, or "". */
  context: string;
  /** Index in the added lines of one a build error can point at, or -1. */
  site: number;
}

const SHAPES = 1024;

function buildShapes(pool: CodePool, rng: Rng): HunkShape[] {
  const n = pool.lines.length;
  const off = pool.off;
  const shapes: HunkShape[] = [];
  for (let k = 0; k < SHAPES; k++) {
    const del = rng.chance(0.25) ? 0 : rng.range(1, 7);
    const add = del === 0 ? rng.range(1, 12) : rng.range(0, 10);
    const p = rng.int(n - del - 8);
    const q = rng.int(n - add - 1);
    const after = p + 3 + del;
    // join() makes one flat string, which the pool keeps for the life of the process.
    const text = [pool.ctxAll.slice(off[p], off[p + 3]), pool.delAll.slice(off[p + 3], off[after]), pool.addAll.slice(off[q], off[q + add]), pool.ctxAll.slice(off[after], off[after + 3])].join('');
    const qtext = [
      pool.qctxAll.slice(off[p] + 2 * p, off[p + 3] + 2 * (p + 3)),
      pool.qdelAll.slice(off[p + 3] + 2 * (p + 3), off[after] + 2 * after),
      pool.qaddAll.slice(off[q] + 2 * q, off[q + add] + 2 * (q + add)),
      pool.qctxAll.slice(off[after] + 2 * after, off[after + 3] + 2 * (after + 3)),
    ].join('');
    const sig = pool.funcOf[p];
    let site = -1;
    for (let i = 0; i < add; i++) {
      if (pool.callish[q + i]) {
        site = i;
        break;
      }
    }
    const context = sig >= 0 && sig < p ? ' ' + pool.lines[sig] : '';
    const tail = [`,${6 + add} @@${context}\n`, text].join('');
    const qtail = [`,${6 + add} @@${context}\n`, qtext].join('');
    shapes.push({ p, q, del, add, text, qtext, size: 30 + context.length + text.length, context, site, mid: `,${6 + del} +`, tail, qtail });
  }
  return shapes;
}

interface Subsys extends SubsysDef {
  pool: CodePool;
  /** The headers the list server adds (mail is archived as the list delivered it). */
  listHead: string;
  prose: Prose;
  maintainers: Author[];
  structPairs: [string, string][];
}

const STMTS: ((v: string, g: () => string, f: () => string, r: Rng) => string[])[] = [
  (v, g) => [`\tret = ${g()}(${v}, flags);`, '\tif (ret)', '\t\tgoto out_unlock;'],
  (v, g, f, r) => [`\tif (!${v}->${f()})`, `\t\treturn -${r.pick(ERRNOS)};`],
  (v) => [`\tspin_lock_irqsave(&${v}->lock, flags);`],
  (v) => [`\tspin_unlock_irqrestore(&${v}->lock, flags);`],
  (v) => [`\tmutex_lock(&${v}->mutex);`],
  (v) => [`\tmutex_unlock(&${v}->mutex);`],
  (v, g, f) => [`\tlist_for_each_entry(pos, &${v}->${f()}, node) {`, `\t\tif (pos->${f()} == ${v}->${f()})`, '\t\t\tcontinue;', `\t\t${g()}(pos);`, '\t}'],
  (v, g, f, r) => [`\tWARN_ON_ONCE(${v}->${f()} > ${r.pick(MACROS)});`],
  (v, g, f) => [`\t${v}->${f()} = ${g()}(${v});`],
  (v, g, f, r) => [`\t${v}->${f()} |= ${r.pick(MACROS)};`],
  () => ['\treturn 0;'],
  (v, g, f, r) => [`\tif (IS_ENABLED(${r.pick(['CONFIG_SMP', 'CONFIG_DEBUG_KERNEL', 'CONFIG_NUMA', 'CONFIG_PM'])}))`, `\t\t${g()}(${v});`],
  (v, g, f, r) => [`\tdev_dbg(${v}->dev, "${r.pick(['failed to', 'unable to', 'cannot'])} ${r.pick(SUFFIXES).replace(/_/g, ' ')} ${f()}: %d\\n", ret);`],
  (v, g, f, r) => [`\tpr_warn_ratelimited("%s: ${r.pick(['unexpected', 'invalid', 'stale'])} ${f()} %u\\n", __func__, ${v}->${f()});`],
  () => ['\trcu_read_lock();'],
  () => ['\trcu_read_unlock();'],
  (v, g, f) => [`\t/*`, `\t * ${f()} may change under us once the lock is dropped, so take a`, `\t * snapshot and let ${g()}() revalidate it.`, `\t */`],
  (v, g, f) => [`\t/* Pairs with the smp_store_release() in ${g()}(). */`, `\t${f()} = smp_load_acquire(&${v}->${f()});`],
  (v, g, f) => [`\tif (unlikely(!${f()})) {`, `\t\tret = -EINVAL;`, `\t\tgoto out;`, '\t}'],
  (v, g, f) => [`\tfor (i = 0; i < ${v}->${f()}; i++) {`, `\t\tret = ${g()}(${v}, i);`, '\t\tif (ret)', '\t\t\tbreak;', '\t}'],
  (v, g, f) => [`\tatomic_inc(&${v}->${f()});`],
  (v, g) => [`\tkfree(${v}->${g().split('_').pop()});`],
  (v, g, f) => [`\t${f()} = kzalloc(sizeof(*${f()}), GFP_KERNEL);`, `\tif (!${f()})`, '\t\treturn -ENOMEM;'],
  (v, g, f) => [`\tif (test_bit(${f().toUpperCase()}_PENDING, &${v}->flags))`, `\t\tqueue_work(system_wq, &${v}->work);`],
  (v, g, f) => [`\tlockdep_assert_held(&${v}->lock);`, `\tWRITE_ONCE(${v}->${f()}, 0);`],
  (v, g) => [`\tret = ${g()}(${v}, NULL, 0);`, '\tif (ret < 0)', '\t\treturn ret;'],
  () => [''],
  () => [''],
];

const SIGS: ((fn: string, st: string, v: string, r: Rng) => string)[] = [
  (fn, st, v) => `static int ${fn}(struct ${st} *${v}, unsigned long flags)`,
  (fn, st, v) => `static void ${fn}(struct ${st} *${v})`,
  (fn, st, v) => `int ${fn}(struct ${st} *${v}, unsigned int nr)`,
  (fn, st, v) => `static bool ${fn}(const struct ${st} *${v})`,
  (fn, st, v) => `static long ${fn}(struct ${st} *${v}, void __user *arg)`,
  (fn, st, v) => `void ${fn}(struct ${st} *${v}, bool force)`,
];

function buildPool(def: SubsysDef, rng: Rng): { pool: CodePool; structPairs: [string, string][] } {
  const structPairs = def.structs.map((s) => s.split(':') as [string, string]);
  const funcs: string[] = [];
  const seen = new Set<string>();
  while (funcs.length < 60) {
    const name = `${rng.pick(def.stems)}_${rng.pick(SUFFIXES)}${rng.chance(0.15) ? '_locked' : ''}`;
    if (!seen.has(name)) {
      seen.add(name);
      funcs.push(name);
    }
  }
  const lines: string[] = [];
  const funcOf: number[] = [];
  const fnOf: number[] = [];
  const g = () => rng.pick(funcs);
  const f = () => rng.pick(FIELDS);
  funcs.forEach((fn, fi) => {
    const [st, v] = rng.pick(structPairs);
    const sig = lines.length;
    const push = (l: string) => {
      lines.push(l);
      funcOf.push(sig);
      fnOf.push(fi);
    };
    push(rng.pick(SIGS)(fn, st, v, rng));
    push('{');
    const [st2, v2] = rng.pick(structPairs);
    if (v2 !== v) push(`\tstruct ${st2} *${v2} = ${v}->${f()};`);
    push('\tunsigned long flags;');
    push('\tint ret = 0;');
    push('');
    const n = rng.range(6, 22);
    for (let i = 0; i < n; i++) for (const l of rng.pick(STMTS)(rng.chance(0.6) ? v : v2, g, f, rng)) push(l);
    if (rng.chance(0.5)) {
      push('out_unlock:');
      push(`\tmutex_unlock(&${v}->mutex);`);
    }
    push('\treturn ret;');
    push('}');
    if (rng.chance(0.2)) {
      push(`EXPORT_SYMBOL_GPL(${fn});`);
    }
    lines.push('');
    funcOf.push(-1);
    fnOf.push(-1);
  });
  const pool: CodePool = {
    lines,
    funcOf: Int32Array.from(funcOf),
    fnOf: Int32Array.from(fnOf),
    funcs,
    ctxAll: lines.map((l) => ` ${l}\n`).join(''),
    addAll: lines.map((l) => `+${l}\n`).join(''),
    delAll: lines.map((l) => `-${l}\n`).join(''),
    off: new Int32Array(lines.length + 1),
    qctxAll: lines.map((l) => `>  ${l}\n`).join(''),
    qaddAll: lines.map((l) => `> +${l}\n`).join(''),
    qdelAll: lines.map((l) => `> -${l}\n`).join(''),
    callish: Uint8Array.from(lines, (l) => (l.length > 12 && l.includes('(') ? 1 : 0)),
    callName: lines.map((l) => /(\w+)\(/.exec(l)?.[1] ?? ''),
    indent: Uint8Array.from(lines, (l) => /^\t*/.exec(l)?.[0].length ?? 0),
    expanded: lines.map((l) => l.replace(/\t/g, '        ')),
    shapes: [],
  };
  for (let i = 0; i < lines.length; i++) pool.off[i + 1] = pool.off[i] + lines[i].length + 2;
  pool.shapes = buildShapes(pool, rng);
  return { pool, structPairs };
}

/**
 * Per-subsystem pools of wrapped text, built once: commit-message paragraphs (plain and as a
 * reply quotes them) and review comments. Wrapping and quoting per message would be the slowest
 * part of the generator.
 */
interface Prose {
  first: string[];
  rest: string[];
  qfirst: string[];
  qrest: string[];
  comments: string[];
  discuss: string[];
}

const PROSE: Prose[] = [];
let POOLS: { pool: CodePool; structPairs: [string, string][] }[] | null = null;

/** The code pools are the same for every seed (vocabulary, not content), so they are built once. */
function pools() {
  if (!POOLS) POOLS = SUBSYSTEMS.map((d, i) => buildPool(d, new Rng(0x5eed0000 + i)));
  return POOLS;
}

// ---------------------------------------------------------------------------------------------
// Authors and headers

interface Author {
  /** In utf8Chars form, as are `first` and `sign`. */
  name: string;
  email: string;
  /** The header form: RFC 2047 encoded or quoted as needed. */
  addr: string;
  first: string;
  sign: string;
  tz: number;
  host: string;
  idStyle: number;
}

function asciiFold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .replace(/ß/g, 'ss')
    .replace(/ø/g, 'o');
}

/**
 * Text as its UTF-8 bytes, one character a byte. Everything in a message is kept in this form, so
 * that every string is one-byte (fast to join) and the bytes are written with 'latin1', a plain
 * copy that still gives exact UTF-8. Only names need it: the rest is ASCII.
 */
function utf8Chars(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

/** A display name (in utf8Chars form) as a header needs it: RFC 2047 for non-ASCII, quoted for specials. */
function headerName(name: string): string {
  if (/[^\x20-\x7e]/.test(name)) {
    let out = '';
    for (const byte of Buffer.from(name, 'latin1')) {
      const c = String.fromCharCode(byte);
      if (/[A-Za-z0-9!*+\-/]/.test(c)) out += c;
      else if (c === ' ') out += '_';
      else out += '=' + byte.toString(16).toUpperCase().padStart(2, '0');
    }
    return `=?UTF-8?q?${out}?=`;
  }
  if (/[()<>@,;:\\".[\]]/.test(name)) return `"${name.replace(/(["\\])/g, '\\$1')}"`;
  return name;
}

function makeAuthors(rng: Rng, count: number): Author[] {
  const out: Author[] = [];
  const names = new Set<string>();
  const emails = new Set<string>();
  while (out.length < count) {
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    const name = rng.chance(0.02) ? `${first} ${last} (${rng.pick(['Intel', 'Google', 'AMD', 'Arm'])})` : `${first} ${last}`;
    if (names.has(`${first} ${last}`)) continue;
    const f = asciiFold(first).toLowerCase();
    const l = asciiFold(last).toLowerCase().replace(/[^a-z-]/g, '');
    const style = rng.int(5);
    const local = style === 0 ? `${f}.${l}` : style === 1 ? f : style === 2 ? `${f[0]}${l}` : style === 3 ? l : `${f}${l[0]}`;
    const email = `${local}@${rng.pickSkewed(DOMAINS, 1.5)}`;
    if (emails.has(email)) continue;
    names.add(`${first} ${last}`);
    emails.add(email);
    const nick = rng.chance(0.12) ? `\t${(f[0] + l.slice(0, 3)).toLowerCase()}` : first;
    // utf8Chars also makes every string one-byte: asciiFold's results are ASCII, but V8 keeps
    // them two-byte, and one two-byte piece makes a whole message two-byte (slow to join and write).
    out.push({
      name: utf8Chars(name),
      email: utf8Chars(email),
      addr: utf8Chars(`${headerName(utf8Chars(name))} <${email}>`),
      first: utf8Chars(first),
      sign: utf8Chars(nick),
      tz: rng.pick(TZS),
      host: rng.pick(HOSTS),
      idStyle: rng.int(4),
    });
  }
  return out;
}

const ROBOT: Author = { name: 'kernel test robot', email: 'lkp@intel.com', addr: 'kernel test robot <lkp@intel.com>', first: 'robot', sign: '', tz: 480, host: 'intel.com', idStyle: 0 };
const LINUS: Author = { name: 'Linus Torvalds', email: 'torvalds@linux-foundation.org', addr: 'Linus Torvalds <torvalds@linux-foundation.org>', first: 'Linus', sign: 'Linus', tz: -420, host: 'mail.gmail.com', idStyle: 1 };
const PR_BOT: Author = { name: 'pr-tracker-bot', email: 'pr-tracker-bot@kernel.org', addr: 'pr-tracker-bot@kernel.org', first: 'bot', sign: '', tz: 0, host: 'kernel.org', idStyle: 0 };

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => (n < 10 ? '0' + n : String(n));

function tzString(tz: number): string {
  const a = Math.abs(tz);
  return `${tz < 0 ? '-' : '+'}${p2(Math.floor(a / 60))}${p2(a % 60)}`;
}

/** RFC 5322 date in the author's zone. */
function rfcDate(t: number, tz: number): string {
  const d = new Date((t + tz * 60) * 1000);
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${tzString(tz)}`;
}

/** 20230728101500 in UTC, as git send-email and lkp use in Message-IDs. */
function stamp(t: number, digits = 14): string {
  const d = new Date(t * 1000);
  return `${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}`.slice(0, digits);
}

function isoDay(t: number): string {
  const d = new Date(t * 1000);
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`;
}

/** "Thu, 23 Sep 2021 14:11:06 -03:00", the git "AuthorDate:" form tip-bot prints. */
function gitDate(t: number, tz: number): string {
  const s = rfcDate(t, tz);
  return s.slice(0, -2) + ':' + s.slice(-2);
}

/**
 * Header builders return flat strings (made with join): they are cached and reused, and a string
 * made with += is a rope that every later join or write walks again.
 */
function foldList(name: string, items: string[]): string {
  const out: string[] = [name, ': '];
  let len = name.length + 2;
  for (let i = 0; i < items.length; i++) {
    const item = i < items.length - 1 ? items[i] + ',' : items[i];
    if (i > 0) {
      if (len + 1 + item.length > 78) {
        out.push('\n ');
        len = 1;
      } else {
        out.push(' ');
        len += 1;
      }
    }
    out.push(item);
    len += item.length;
  }
  out.push('\n');
  return out.join('');
}

function foldText(name: string, value: string): string {
  return name.length + 2 + value.length <= 78 ? [name, ': ', value, '\n'].join('') : foldWords(name, value);
}

function foldWords(name: string, value: string): string {
  const words = value.split(' ');
  const out: string[] = [name, ':'];
  let len = name.length + 1;
  for (const w of words) {
    if (len + 1 + w.length > 78 && len > name.length + 1) {
      out.push('\n ', w);
      len = 1 + w.length;
    } else {
      out.push(' ', w);
      len += 1 + w.length;
    }
  }
  out.push('\n');
  return out.join('');
}

interface Head {
  from: string;
  to: string[];
  cc: AddrList;
  subject: string;
  /** The folded Subject: line, when known (replies share their parent's). */
  subjectText?: string;
  date: number;
  tz: number;
  id: string;
  inReplyTo?: string;
  refs?: Refs;
  /** Extra header lines, complete with their newline. */
  extra?: string;
  gitSendEmail?: boolean;
}

/** An address list with its folded header line, made once and shared (a series; replies that keep their parent's list). */
interface AddrList {
  list: string[];
  text: string;
}

function addrList(name: string, list: string[]): AddrList {
  return { list, text: list.length ? foldList(name, list) : '' };
}

/** References with the rendered header; a reply's is its parent's plus one line. */
interface Refs {
  ids: string[];
  text: string;
}

const NO_REFS: Refs = { ids: [], text: '' };

function refsOf(ids: string[]): Refs {
  return { ids, text: ids.length ? ['References: <', ids.join('>\n <'), '>\n'].join('') : '' };
}

/** A reply's References: the parent's plus the parent, trimmed to the root and the last few when long. */
function childRefs(parent: { refs: Refs; id: string }): Refs {
  const p = parent.refs.ids;
  if (p.length >= 9) return refsOf([p[0], ...p.slice(-7), parent.id]);
  if (p.length === 0) return { ids: [parent.id], text: ['References: <', parent.id, '>\n'].join('') };
  return { ids: [...p, parent.id], text: [parent.refs.text, ' <', parent.id, '>\n'].join('') };
}

/** The header block and the blank line after it, as one flat string (join, not +=: see emit). */
function renderHead(h: Head, list: string): string {
  const s: string[] = ['From: ', h.from, '\n'];
  if (h.to.length) s.push(h.to.length === 1 ? `To: ${h.to[0]}\n` : foldList('To', h.to));
  s.push(h.cc.text, h.subjectText ?? foldText('Subject', h.subject), 'Date: ', rfcDate(h.date, h.tz), '\n');
  s.push(h.gitSendEmail ? 'Message-Id: <' : 'Message-ID: <', h.id, '>\n');
  if (h.gitSendEmail) s.push('X-Mailer: git-send-email 2.39.2\n');
  if (h.inReplyTo) s.push('In-Reply-To: <', h.inReplyTo, '>\n');
  if (h.refs) s.push(h.refs.text);
  if (h.extra) s.push(h.extra);
  s.push(list, 'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n');
  return s.join('');
}

// ---------------------------------------------------------------------------------------------
// Prose

/** Greedy word wrap; slices of the input joined once, so the result is one flat string. */
function wrap(text: string, width = 72): string {
  if (text.length <= width) return text;
  const lines: string[] = [];
  let start = 0;
  while (text.length - start > width) {
    let brk = text.lastIndexOf(' ', start + width);
    if (brk <= start) {
      brk = text.indexOf(' ', start + width);
      if (brk < 0) break;
    }
    lines.push(text.slice(start, brk));
    start = brk + 1;
  }
  lines.push(text.slice(start));
  return lines.join('\n');
}

/** The identifiers one message talks about, picked once so that its prose is coherent. */
class Voc {
  readonly fn: string;
  readonly fn2: string;
  readonly st: string;
  readonly v: string;
  readonly field: string;
  readonly cfg: string;
  readonly noun: string;
  readonly err: string;
  constructor(
    readonly r: Rng,
    readonly sub: Subsys,
  ) {
    this.fn = r.pick(sub.pool.funcs);
    this.fn2 = r.pick(sub.pool.funcs);
    const [st, v] = r.pick(sub.structPairs);
    this.st = st;
    this.v = v;
    this.field = r.pick(FIELDS);
    this.cfg = r.pick(sub.configs);
    this.noun = r.pick(sub.nouns);
    this.err = r.pick(ERRNOS);
  }
  get sha(): string {
    return this.r.hex(12);
  }
}

type Tpl = (v: Voc) => string;

const TITLES: Tpl[] = [
  (v) => `fix NULL pointer dereference in ${v.fn}()`,
  (v) => `fix memory leak in ${v.fn}() error path`,
  (v) => `use ${v.fn2}() in ${v.fn}()`,
  (v) => `remove unused ${v.field} from struct ${v.st}`,
  (v) => `add support for ${v.noun}`,
  (v) => `drop redundant check in ${v.fn}()`,
  (v) => `introduce ${v.fn2}() helper`,
  (v) => `simplify ${v.fn}()`,
  (v) => `handle ${v.err} from ${v.fn2}() in ${v.fn}()`,
  (v) => `document locking rules for ${v.noun}`,
  (v) => `make ${v.fn}() static`,
  (v) => `annotate ${v.v}->${v.field} with READ_ONCE()`,
  (v) => `rework ${v.noun}`,
  (v) => `fix race between ${v.fn}() and ${v.fn2}()`,
  (v) => `avoid ${v.fn2}() under ${v.v}->lock`,
  (v) => `fix build with ${v.cfg}=n`,
  (v) => `convert ${v.fn}() to use guard(mutex)`,
  (v) => `move ${v.field} handling into ${v.fn2}()`,
];

const COVER_TITLES: Tpl[] = [
  (v) => `rework ${v.noun}`,
  (v) => `add ${v.noun} support`,
  (v) => `${v.noun} cleanups`,
  (v) => `fix races in ${v.noun}`,
  (v) => `introduce ${v.fn2}() and convert users`,
  (v) => `prepare ${v.noun} for ${v.cfg}`,
];

const PROBLEMS: Tpl[] = [
  (v) => `${v.fn}() can be called with ${v.v}->${v.field} already cleared, which leads to a NULL pointer dereference when ${v.noun} is exercised concurrently.`,
  (v) => `Since commit ${v.sha} ("${v.sub.prefixes[0]}: ${TITLES[5](v)}"), ${v.fn}() no longer holds ${v.v}->lock when calling ${v.fn2}().`,
  (v) => `When ${v.cfg} is disabled, ${v.fn2}() is not defined and the build fails with an implicit declaration error.`,
  (v) => `The error path in ${v.fn}() leaks the ${v.field} allocated by ${v.fn2}(), as reported by kmemleak.`,
  (v) => `${v.fn}() open-codes what ${v.fn2}() already provides, and gets the ${v.field} accounting subtly wrong.`,
  (v) => `There is a race between ${v.fn}() and ${v.fn2}(): both update ${v.v}->${v.field} without holding ${v.v}->lock.`,
  (v) => `syzbot reported a use-after-free in ${v.fn}() when the ${v.st} is released concurrently by ${v.fn2}().`,
  (v) => `The ${v.field} member of struct ${v.st} is only ever written, never read, since ${v.noun} was reworked.`,
  (v) => `Currently ${v.noun} is handled in three different places, each with its own copy of the ${v.field} checks.`,
  (v) => `On systems with many CPUs, ${v.fn}() shows up prominently in profiles because it takes ${v.v}->lock for every ${v.field} update.`,
];

const SOLUTIONS: Tpl[] = [
  (v) => `Use ${v.fn2}() instead and drop the open-coded loop.`,
  (v) => `Take ${v.v}->lock around the update and document the locking rules in a comment.`,
  (v) => `Move the check into ${v.fn2}() so that all callers get it.`,
  (v) => `Return -${v.err} early instead of continuing with a stale ${v.field}.`,
  (v) => `Remove the field and the code that maintains it.`,
  () => 'No functional change intended.',
  () => 'This also makes the code easier to follow.',
  (v) => `Add a stub for the !${v.cfg} case.`,
  (v) => `Convert the users to ${v.fn2}() and remove the old interface once the last caller is gone.`,
  (v) => `Read ${v.v}->${v.field} once with READ_ONCE() and pass the value down, which makes the lockless access explicit.`,
];

const CHANGES: ((v: Voc, who: Author, k: number) => string)[] = [
  (v) => `Rebased on ${v.r.pick(TAGS)}`,
  (v, w, k) => `Dropped patch ${k} ("${TITLES[3](v)}"), it was merged separately`,
  () => 'Collected Reviewed-by and Acked-by tags',
  (v, w) => `Addressed review comments from ${w.name}`,
  (v) => `Fixed build failure with ${v.cfg}=n reported by the kernel test robot`,
  (v, w, k) => `Split patch ${k} into two`,
  () => 'Reworded commit messages',
  (v, w) => `Use ${v.fn2}() instead of open coding it (suggested by ${w.name})`,
  () => 'Added a selftest',
  (v) => `Renamed ${v.fn}() to ${v.fn2}()`,
];

const COMMENTS: Tpl[] = [
  (v) => `Why is this needed? ${v.fn2}() already checks ${v.v}->${v.field} under ${v.v}->lock.`,
  (v) => `This needs a READ_ONCE(), ${v.fn}() can run concurrently with ${v.fn2}().`,
  () => 'Please keep the reverse christmas tree ordering of the variables.',
  (v) => `Nit: s/${v.field}/${v.r.pick(FIELDS)}/ would match the rest of the file.`,
  (v) => `Doesn't this leak ${v.v} when ${v.fn2}() fails?`,
  (v) => `I think the Fixes: tag is wrong, the problem was introduced by ${v.sha}.`,
  (v) => `Can you please split the changes to ${v.noun} out into a separate patch?`,
  (v) => `I'd rather not add another user of ${v.fn2}() here, it is supposed to go away.`,
  (v) => `This will break ${v.cfg}=n builds.`,
  () => 'Good catch.',
  (v) => `I don't think that's right: ${v.fn}() can be called from IRQ context, so mutex_lock() is not allowed here.`,
  (v) => `What happens if ${v.v}->${v.field} is zero at this point? ${v.fn}() would then return -${v.err} to userspace, which is an ABI change.`,
  (v) => `The comment above ${v.fn}() needs updating as well.`,
  () => 'This hunk looks unrelated to the rest of the patch.',
];

const DISCUSS: Tpl[] = [
  (v) => `Agreed, I'll fold that into the next version. ${v.fn2}() is indeed the better place for it.`,
  () => 'Fair enough. Let me think about it some more and come back with numbers.',
  (v) => `I tested this on a 2-socket machine with ${v.cfg}=y and could not reproduce the problem any more.`,
  (v) => `Not sure I follow. The ${v.field} update is serialised by ${v.v}->lock everywhere except in ${v.fn}(), which is the point of the patch.`,
  () => 'Ack, thanks for the explanation.',
  (v) => `From the log it looks like ${v.fn2}() is only built with ${v.cfg}=y, so the stub is needed.`,
  (v) => `Right, and ${v.noun} has the same issue. I'll send a separate fix for that.`,
  () => 'Sounds good to me. Please send a v2 with the changes discussed here.',
  (v) => `I measured ${v.r.range(2, 40)}% fewer cycles in ${v.fn}() with this applied, on a ${v.r.pick(['Sapphire Rapids', 'Zen 4', 'Ampere Altra', 'Skylake'])} box.`,
  (v) => `Hmm, that would make ${v.fn}() depend on ${v.cfg}. Is that really what we want?`,
];

function paragraph(v: Voc, first: boolean): string {
  const used = new Set<Tpl>();
  const sentences: string[] = [];
  const say = (from: Tpl[]) => {
    const t = v.r.pick(from);
    if (!used.has(t)) {
      used.add(t);
      sentences.push(t(v));
    }
  };
  say(PROBLEMS);
  for (let j = v.r.range(1, 3); j > 0; j--) say(first ? PROBLEMS : SOLUTIONS);
  return wrap(sentences.join(' '));
}

function buildProse(sub: Subsys, seed: number): Prose {
  const pr = new Rng(seed);
  const n = 192;
  const first = Array.from({ length: n }, () => paragraph(new Voc(pr, sub), true));
  const rest = Array.from({ length: n }, () => paragraph(new Voc(pr, sub), false));
  return {
    first,
    rest,
    qfirst: first.map((t) => quoteText(t)),
    qrest: rest.map((t) => quoteText(t)),
    comments: Array.from({ length: 96 }, () => wrap(pr.pick(COMMENTS)(new Voc(pr, sub)))),
    discuss: Array.from({ length: 96 }, () => wrap(pr.pick(DISCUSS)(new Voc(pr, sub)))),
  };
}

/** Commit-message prose from the pools: the text, and the same text as a reply quotes it. */
function paragraphs(v: Voc, count: number): [string, string] {
  const pool = v.sub.prose;
  let i = v.r.int(pool.first.length);
  let text = pool.first[i];
  let quoted = pool.qfirst[i];
  for (let k = 1; k < count; k++) {
    i = v.r.int(pool.rest.length);
    text += '\n\n' + pool.rest[i];
    quoted += '>\n' + pool.qrest[i];
  }
  return [text, quoted];
}

function capitalise(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}

function titleFor(sub: Subsys, text: string, r: Rng): string {
  return `${r.pick(sub.prefixes)}: ${sub.upper ? capitalise(text) : text}`;
}

// ---------------------------------------------------------------------------------------------
// Diffs

interface FileChange {
  path: string;
  add: number;
  del: number;
  created: boolean;
}

/** A place where a patch added a line, for build errors to point at. */
interface Site {
  file: string;
  line: number;
  /** The line's index in the subsystem's code pool. */
  at: number;
  func: string;
}

/**
 * One file of a patch, kept as hunk descriptors rather than text: a window of recent patches
 * then costs little memory, and the diff renders plain or quoted (for replies) from the pools.
 */
interface FileDiff extends FileChange {
  pool: CodePool | null;
  /** Abbreviated blob ids for the index line. */
  ids: string;
  /** Three numbers a hunk: index in pool.shapes, oldStart, newStart. For a created file: first pool line, count. */
  hunks: number[];
  /** The whole file diff, for hand-made hunks (syscall tables); null for pool diffs. */
  literal: string | null;
}

const HUNK = 3;

/** A diff of one file against the subsystem's code pool, about `budget` bytes, with correct hunk headers. */
function makeFileDiff(r: Rng, pool: CodePool, path: string, budget: number, sites: Site[], created = false): FileDiff {
  const n = pool.lines.length;
  if (created) {
    const count = Math.max(8, Math.min(n - 1, Math.round(budget / 30)));
    return { path, add: count, del: 0, created: true, pool, ids: r.hex(12), hunks: [r.int(n - count), count], literal: null };
  }
  const ids = `${r.hex(12)}..${r.hex(12)}`;
  const h: number[] = [];
  let oldStart = r.range(12, 160);
  let delta = 0;
  let adds = 0;
  let dels = 0;
  let size = 0;
  do {
    const k = r.int(SHAPES);
    const s = pool.shapes[k];
    h.push(k, oldStart, oldStart + delta);
    size += s.size;
    if (s.site >= 0 && sites.length < 6 && r.chance(0.5)) {
      const at = s.q + s.site;
      const fi = pool.fnOf[at];
      sites.push({ file: path, line: oldStart + delta + 3 + s.site, at, func: fi >= 0 ? pool.funcs[fi] : 'init' });
    }
    adds += s.add;
    dels += s.del;
    delta += s.add - s.del;
    oldStart += 6 + s.del + r.range(4, 140);
  } while (size < budget);
  return { path, add: adds, del: dels, created: false, pool, ids, hunks: h, literal: null };
}

/** The "diff --git" lines of a file diff (for a created file, with its single hunk header). */
function renderFileHeader(f: FileDiff, quoted: boolean): string {
  const pre = quoted ? '> ' : '';
  const path = f.path;
  if (f.created) {
    return `${pre}diff --git a/${path} b/${path}\n${pre}new file mode 100644\n${pre}index 000000000000..${f.ids}\n${pre}--- /dev/null\n${pre}+++ b/${path}\n${pre}@@ -0,0 +1,${f.hunks[1]} @@\n`;
  }
  return `${pre}diff --git a/${path} b/${path}\n${pre}index ${f.ids} 100644\n${pre}--- a/${path}\n${pre}+++ b/${path}\n`;
}

/** Hunk i (an index into f.hunks, a multiple of HUNK): its @@ line and lines; returns their length. */
function renderHunk(f: FileDiff, i: number, quoted: boolean, parts: string[]): number {
  const pool = f.pool as CodePool;
  const off = pool.off;
  const h = f.hunks;
  if (f.created) {
    const start = h[0];
    const end = start + h[1];
    const s = quoted ? pool.qaddAll.slice(off[start] + 2 * start, off[end] + 2 * end) : pool.addAll.slice(off[start], off[end]);
    parts.push(s);
    return s.length;
  }
  const s = pool.shapes[h[i]];
  const a = String(h[i + 1]);
  const b = String(h[i + 2]);
  const tail = quoted ? s.qtail : s.tail;
  parts.push(quoted ? '> @@ -' : '@@ -', a, s.mid, b, tail);
  return (quoted ? 6 : 4) + a.length + s.mid.length + b.length + tail.length;
}

/** The text of a file diff, or (quoted) what a reply quoting all of it shows. */
function renderFile(f: FileDiff, quoted: boolean, parts: string[]): void {
  if (f.literal !== null) {
    parts.push(quoted ? quoteText(f.literal) : f.literal);
    return;
  }
  parts.push(renderFileHeader(f, quoted));
  if (f.created) {
    renderHunk(f, 0, quoted, parts);
    return;
  }
  for (let i = 0; i < f.hunks.length; i += HUNK) renderHunk(f, i, quoted, parts);
}

function renderFiles(files: FileDiff[], quoted: boolean): string {
  const parts: string[] = [];
  for (const f of files) renderFile(f, quoted, parts);
  return parts.join('');
}

function gccMessage(r: Rng, sub: Subsys, fn: string): string {
  switch (r.int(5)) {
    case 0:
      return `error: implicit declaration of function '${fn}'; did you mean '${fn}_locked'? [-Werror=implicit-function-declaration]`;
    case 1:
      return `error: 'struct ${r.pick(sub.structPairs)[0]}' has no member named '${r.pick(FIELDS)}'`;
    case 2:
      return `error: too few arguments to function '${fn}'`;
    case 3:
      return `warning: unused variable 'flags' [-Wunused-variable]`;
    default:
      return `error: '${r.pick(FIELDS)}' undeclared (first use in this function)`;
  }
}

function clangMessage(r: Rng, sub: Subsys, fn: string): string {
  switch (r.int(4)) {
    case 0:
      return `error: call to undeclared function '${fn}'; ISO C99 and later do not support implicit function declarations [-Wimplicit-function-declaration]`;
    case 1:
      return `error: no member named '${r.pick(FIELDS)}' in 'struct ${r.pick(sub.structPairs)[0]}'`;
    case 2:
      return `error: use of undeclared identifier '${r.pick(['MAX', 'NR', 'DEFAULT', 'INVALID'])}_${r.pick(FIELDS).toUpperCase()}'`;
    default:
      return `warning: variable 'ret' is used uninitialized whenever 'if' condition is false [-Wsometimes-uninitialized]`;
  }
}

/** The last n lines of text that ends with a newline. */
function tailLines(text: string, n: number): string {
  // A charCodeAt loop: lastIndexOf is a runtime call and was a visible cost here.
  let k = 0;
  for (let j = text.length - 2; j >= 0; j--) {
    if (text.charCodeAt(j) === 10 && ++k === n) return text.slice(j + 1);
  }
  return text;
}

/**
 * Quote text as a mail client does: "> " before each line, ">" alone on empty ones and before
 * already quoted lines. Lines quoted twice already are dropped, as people trim them.
 */
function quoteText(body: string): string {
  const parts: string[] = [];
  const stop = body.length;
  let pos = 0;
  while (pos < stop) {
    let nl = body.indexOf('\n', pos);
    if (nl < 0) nl = stop - 1;
    const c = body.charCodeAt(pos);
    if (c === 62 && (body.charCodeAt(pos + 1) === 62 || (body.charCodeAt(pos + 1) === 32 && body.charCodeAt(pos + 2) === 62))) {
      pos = nl + 1;
      continue;
    }
    parts.push(nl === pos || c === 62 ? '>' : '> ', body.slice(pos, nl + 1));
    pos = nl + 1;
  }
  if (!body.endsWith('\n')) parts.push('\n');
  return parts.join('');
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** git's --stat block: per-file lines, the summary line, and create mode lines. */
function diffstat(changes: FileChange[]): string {
  let list = changes;
  // A cover letter's files repeat across its patches: merge them.
  if (changes.length > 1 && new Set(changes.map((c) => c.path)).size < changes.length) {
    const merged = new Map<string, FileChange>();
    for (const c of changes) {
      const m = merged.get(c.path);
      if (m) {
        m.add += c.add;
        m.del += c.del;
      } else merged.set(c.path, { ...c });
    }
    list = [...merged.values()];
  }
  let nameW = 0;
  let maxCount = 0;
  let ins = 0;
  let dels = 0;
  for (const c of list) {
    nameW = Math.max(nameW, c.path.length);
    maxCount = Math.max(maxCount, c.add + c.del);
    ins += c.add;
    dels += c.del;
  }
  const countW = String(maxCount).length;
  const graphW = Math.max(10, 72 - nameW - countW - 4);
  const out: string[] = [];
  for (const c of list) {
    const total = c.add + c.del;
    let a = c.add;
    let d = c.del;
    if (maxCount > graphW) {
      a = c.add ? Math.max(1, Math.round((c.add * graphW) / maxCount)) : 0;
      d = c.del ? Math.max(1, Math.round((c.del * graphW) / maxCount)) : 0;
    }
    out.push(' ', c.path.padEnd(nameW), ' | ', String(total).padStart(countW), ' ', PLUSES.slice(0, a), MINUSES.slice(0, d), '\n');
  }
  out.push(' ', plural(list.length, 'file changed', 'files changed'));
  if (ins || !dels) out.push(', ', plural(ins, 'insertion(+)', 'insertions(+)'));
  if (dels) out.push(', ', plural(dels, 'deletion(-)', 'deletions(-)'));
  out.push('\n');
  for (const c of list) if (c.created) out.push(' create mode 100644 ', c.path, '\n');
  return out.join('');
}

const PLUSES = '+'.repeat(80);
const MINUSES = '-'.repeat(80);

interface HunkLine {
  t: ' ' | '+' | '-';
  s: string;
}

/** A hunk from explicit lines (the syscall-table and unistd.h hunks), counted properly. */
function hunk(oldStart: number, newStart: number, lines: HunkLine[]): { text: string; add: number; del: number } {
  let oldLen = 0;
  let newLen = 0;
  let add = 0;
  let del = 0;
  let body = '';
  for (const l of lines) {
    if (l.t !== '+') oldLen++;
    if (l.t !== '-') newLen++;
    if (l.t === '+') add++;
    if (l.t === '-') del++;
    body += l.t + l.s + '\n';
  }
  return { text: `@@ -${oldStart},${oldLen} +${newStart},${newLen} @@\n${body}`, add, del };
}

// ---------------------------------------------------------------------------------------------
// The generator

type Category = 'series' | 'reply' | 'robot' | 'rfc' | 'pull' | 'tipbot';
const CATEGORIES: Category[] = ['series', 'reply', 'robot', 'rfc', 'pull', 'tipbot'];
const TARGET: Record<Category, number> = { series: 0.35, reply: 0.55, robot: 0.04, rfc: 0.03, pull: 0.02, tipbot: 0.01 };
const LOOKAHEAD = 40;
/**
 * Recent messages that replies, reports and tip-bot can refer to. Small on purpose: entries that
 * die before the next young-generation GC cost nothing, and a 1024 window cost 25% in GC.
 */
const WINDOW = 256;
const SERIES_MEMORY = 256;
const YEAR = 365 * 86400;
const START = Date.UTC(2023, 0, 2) / 1000;
const MAX_TARGET = 97_000;
const SIG_TAIL = '-- \n2.39.2\n';
const SLAB = 1 << 20;
const QUOTE_CACHE = 32;

interface PatchInfo {
  /** "prefix: title" as in the subject after the [PATCH ...] tag. */
  title: string;
  /** The commit message with its trailers. */
  msg: string;
  /** The message's prose (before its trailers): length, and as quoted. */
  proseLen: number;
  qprose: string;
  /** Version notes after the "---" line (single patches only). */
  notes: string;
  stat: string;
  files: FileDiff[];
  sites: Site[];
  k: number;
  total: number;
  syscall: boolean;
  /** Length of the rendered body, set when it is first rendered. */
  size: number;
}

function patchBody(p: PatchInfo): string {
  const parts = [p.msg, '---\n', p.notes, p.stat, '\n'];
  for (const f of p.files) renderFile(f, false, parts);
  parts.push(SIG_TAIL, '\n');
  const body = parts.join('');
  p.size = body.length;
  return body;
}

interface Entry {
  id: string;
  kind: MessageKind;
  subject: string;
  author: Author;
  rootAuthor: Author;
  date: number;
  /**
   * What a reply to this message quotes (before quoting): the body without its signature, or for
   * replies their own text and the ends of what they quoted, as people trim. Patches use `patch`.
   * Keeping this rather than whole bodies keeps the window small.
   */
  quoteSrc: string;
  refs: Refs;
  cc: AddrList;
  /** The folded Subject: line, set when emitted. */
  subjectText?: string;
  sub: Subsys;
  patch?: PatchInfo;
  pull?: { repo: string; tag: string };
}

interface SyscallWork {
  mode: 'add' | 'modify';
  name: string;
  base: number;
  rows: number[];
}

interface SeriesRec {
  sub: Subsys;
  author: Author;
  ccList?: AddrList;
  title: string;
  titles: string[];
  version: number;
  links: string[];
  notes: string[][];
  syscall?: SyscallWork;
  to: string[];
  cc: string[];
}

class Generator_ {
  private readonly r: Rng;
  private readonly n: number;
  private readonly salt: number;
  private readonly authors: Author[];
  private readonly subs: Subsys[];
  private readonly subWeights: number[];
  private readonly window: (Entry | undefined)[] = new Array(WINDOW);
  private readonly series: SeriesRec[] = [];
  private readonly counts: Record<Category, number> = { series: 0, reply: 0, robot: 0, rfc: 0, pull: 0, tipbot: 0 };
  private readonly queue: GeneratedMessage[] = [];
  private emitted = 0;
  /** Position of the last patch emitted: bot reports need one in the window. */
  private lastPatchAt = -Infinity;
  /** Seconds between consecutive messages on average. */
  private readonly step: number;
  /** Output bytes are views into large slabs: one allocation per megabyte, not per message. */
  private slab = Buffer.allocUnsafeSlow(SLAB);
  private slabPos = 0;
  /** Quoted bodies of recent parents, shared by the replies to them (FIFO, bounded). */
  private readonly quotes = new Map<Entry, string>();

  constructor(opts: GenerateOptions) {
    const seed = opts.seed;
    this.r = new Rng(seed);
    this.n = Math.max(0, Math.floor(opts.messages));
    this.step = YEAR / Math.max(this.n, 1);
    this.salt = mix32(new Rng(seed ^ 0x1234567).u32());
    this.authors = makeAuthors(new Rng(seed ^ 0x51ed), 500);
    const built = pools();
    const maint = this.authors.slice(0, 80);
    let mi = 0;
    this.subs = SUBSYSTEMS.map((d, i) => {
      const maintainers: Author[] = [];
      for (let k = 2 + (i % 3); k > 0; k--) maintainers.push(maint[mi++ % maint.length]);
      const list = d.lists.find((l) => !l.startsWith('x86@')) ?? d.lists[0];
      const [local, domain] = list.split('@');
      const listHead = `Precedence: bulk\nX-Mailing-List: ${list}\nList-Id: <${local}.${domain}>\nList-Subscribe: <mailto:${local}+subscribe@${domain}>\nList-Unsubscribe: <mailto:${local}+unsubscribe@${domain}>\n`;
      return { ...d, pool: built[i].pool, structPairs: built[i].structPairs, maintainers, listHead, prose: undefined as unknown as Prose };
    });
    this.subWeights = this.subs.map((s) => s.weight);
    this.subs.forEach((sub, i) => {
      PROSE[i] ??= buildProse(sub, 0x9a9a0000 + i);
      sub.prose = PROSE[i];
    });
  }

  *run(): Generator<GeneratedMessage> {
    while (this.emitted < this.n) {
      this.unit(this.chooseCategory());
      for (const m of this.queue) yield m;
      this.queue.length = 0;
    }
  }

  // ---- bookkeeping -----------------------------------------------------------------------

  private remaining(): number {
    return this.n - this.emitted;
  }

  /** The clock for the next message: spread over a year, in generation order. */
  private now(): number {
    return START + Math.floor((this.emitted + this.r.float()) * this.step);
  }

  /**
   * A delay of up to `max` seconds after a parent message. Capped at 200 messages' worth of
   * clock so that dates stay roughly in generation order for any corpus size.
   */
  private delay(min: number, max: number): number {
    return min + this.r.int(Math.max(1, Math.min(max, 200 * this.step)));
  }

  /** Distinct for every message of the corpus (mix32 is a bijection of the message's index). */
  private uniq(): number {
    return mix32((this.emitted ^ this.salt) >>> 0);
  }

  private emit(e: Entry, head: Head, cat: Category, body: string): void {
    head.subjectText ??= foldText('Subject', head.subject);
    e.subjectText = head.subjectText;
    if (e.patch) this.lastPatchAt = this.emitted;
    const h = renderHead(head, e.sub.listHead);
    const max = h.length + body.length;
    if (this.slabPos + max > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(Math.max(SLAB, max));
      this.slabPos = 0;
    }
    const start = this.slabPos;
    // Headers are ASCII and bodies in utf8Chars form, so latin1 writes exact UTF-8 (see utf8Chars).
    let pos = start + this.slab.write(h, start, 'latin1');
    pos += this.slab.write(body, pos, 'latin1');
    this.slabPos = pos;
    const bytes = this.slab.subarray(start, pos);
    this.queue.push({ messageId: e.id, bytes, kind: e.kind, date: e.date });
    this.window[this.emitted % WINDOW] = e;
    this.emitted++;
    this.counts[cat]++;
  }

  private chooseCategory(): Category {
    const horizon = this.emitted + LOOKAHEAD;
    const hasParent = this.emitted > 0;
    const hasPatch = this.emitted - this.lastPatchAt < WINDOW / 2;
    let total = 0;
    const w = CATEGORIES.map((c) => {
      if ((c === 'reply' && !hasParent) || ((c === 'robot' || c === 'tipbot') && !hasPatch)) return 0;
      const owed = Math.max(0, TARGET[c] * horizon - this.counts[c]);
      total += owed;
      return owed;
    });
    if (total <= 0) return 'series';
    let x = this.r.float() * total;
    for (let i = 0; i < w.length; i++) {
      x -= w[i];
      if (x < 0) return CATEGORIES[i];
    }
    return 'series';
  }

  private unit(cat: Category): void {
    switch (cat) {
      case 'series':
        return this.seriesUnit(false);
      case 'rfc':
        return this.seriesUnit(true);
      case 'reply':
        return this.replyUnit();
      case 'robot':
        return this.robotUnit();
      case 'pull':
        return this.pullUnit();
      case 'tipbot':
        return this.tipbotUnit();
    }
  }

  private pickSub(): Subsys {
    let total = 0;
    for (const w of this.subWeights) total += w;
    let x = this.r.float() * total;
    for (let i = 0; i < this.subs.length; i++) {
      x -= this.subWeights[i];
      if (x < 0) return this.subs[i];
    }
    return this.subs[0];
  }

  private pickAuthor(): Author {
    return this.r.pickSkewed(this.authors, 1.6);
  }

  private reviewer(sub: Subsys, not?: Author): Author {
    for (;;) {
      const a = this.r.chance(0.55) ? this.r.pick(sub.maintainers) : this.pickAuthor();
      if (a !== not) return a;
    }
  }

  private recent(age: number): Entry | undefined {
    if (age >= this.emitted || age >= WINDOW) return undefined;
    return this.window[(this.emitted - 1 - age) % WINDOW];
  }

  /** A recent patch (not a cover letter); RFC patches only if `rfc`, as they are tested but not merged. */
  private findPatch(tries: number, rfc: boolean): Entry | undefined {
    for (let i = 0; i < tries; i++) {
      const span = Math.min(this.emitted, WINDOW);
      const e = this.recent(Math.floor(span * Math.pow(this.r.float(), 1.5)));
      if (e && e.patch && (e.kind === 'patch' || (rfc && e.kind === 'rfc'))) return e;
    }
    return undefined;
  }

  private target(median: number, sigma: number, min: number): number {
    return Math.round(Math.min(MAX_TARGET, Math.max(min, this.r.lognormal(median, sigma))));
  }

  private trailer(a: Author): string {
    return `${a.name} <${a.email}>`;
  }

  // ---- series ----------------------------------------------------------------------------

  private seriesUnit(rfc: boolean): void {
    const r = this.r;
    let rec: SeriesRec | undefined;
    // A later version of earlier work: same title and author, a new thread.
    if (!rfc && this.series.length > 8 && r.chance(0.42)) {
      const i = r.int(this.series.length - 4);
      rec = this.series[i];
      this.series.splice(i, 1);
      rec.version++;
      const v = new Voc(r, rec.sub);
      const notes: string[] = [];
      const k = r.range(2, 4);
      for (let j = 0; j < k; j++) notes.push(r.pick(CHANGES)(v, this.reviewer(rec.sub, rec.author), r.range(1, Math.max(1, rec.titles.length))));
      rec.notes.unshift(notes);
      if (rec.titles.length > 1 && rec.titles.length < 20 && r.chance(0.25)) {
        rec.titles.push(titleFor(rec.sub, r.pick(TITLES)(v), r));
      }
    } else {
      const sub = this.pickSub();
      const author = this.pickAuthor();
      const syscallWork = !rfc && r.chance(0.12) ? this.syscallWork() : undefined;
      const actualSub = syscallWork ? this.subs[0] : sub;
      const u = r.float();
      let m = rfc
        ? r.range(1, 4)
        : u < 0.4
          ? 1
          : u < 0.75
            ? r.range(2, 5)
            : u < 0.92
              ? r.range(6, 10)
              : r.range(11, 20);
      const titles: string[] = [];
      if (syscallWork) m = Math.max(m, syscallWork.mode === 'add' ? 3 : 1);
      for (let k = 0; k < m; k++) titles.push(titleFor(actualSub, r.pick(TITLES)(new Voc(r, actualSub)), r));
      let title = m > 1 ? titleFor(actualSub, r.pick(COVER_TITLES)(new Voc(r, actualSub)), r) : titles[0];
      if (syscallWork) {
        if (syscallWork.mode === 'add') {
          title = `Add the ${syscallWork.name}() system call`;
          titles[0] = `fs: add ${syscallWork.name}() syscall`;
          titles[1] = `x86/syscalls: Wire up ${syscallWork.name}()`;
          titles[2] = `selftests: add ${syscallWork.name}() tests`;
        } else {
          const names = syscallWork.rows.map((n) => SYSCALLS_LOW[n][1]).join(', ');
          titles[0] = `x86/syscalls: Use the __x64_sys_ prefix for ${names}`;
          if (m === 1) title = titles[0];
        }
      }
      const to = [r.pick(actualSub.maintainers).addr];
      const cc: string[] = [];
      const ncc = r.range(1, 7);
      for (let i = 0; i < ncc; i++) {
        const a = this.reviewer(actualSub, author).addr;
        if (!cc.includes(a) && !to.includes(a)) cc.push(a);
      }
      cc.push(...actualSub.lists);
      rec = { sub: actualSub, author, title, titles, version: 1, links: [], notes: [], syscall: syscallWork, to, cc };
    }
    this.postSeries(rec, rfc);
    if (!rfc && rec.version < 4) {
      this.series.push(rec);
      if (this.series.length > SERIES_MEMORY) this.series.shift();
    }
  }

  private syscallWork(): SyscallWork {
    const r = this.r;
    if (r.chance(0.55)) {
      const base = r.range(451, SYSCALLS_HIGH_FROM + SYSCALLS_HIGH.length - 1);
      return { mode: 'add', name: r.pick(NEW_SYSCALLS), base, rows: [] };
    }
    const start = r.range(3, SYSCALLS_LOW.length - 6);
    const count = r.range(1, 3);
    const rows: number[] = [];
    for (let i = 0; i < count; i++) rows.push(start + i * r.range(1, 2));
    return { mode: 'modify', name: '', base: 0, rows };
  }

  private postSeries(rec: SeriesRec, rfc: boolean): void {
    const r = this.r;
    const room = this.remaining();
    let m = rec.titles.length;
    if (m > 1 && m + 1 > room) m = Math.max(1, room - 1);
    if (m <= 1) m = 1;
    const cover = m > 1;
    // The first message's uniq(): distinct per series, so ids "<date>.<pid>-<k>-<email>" are unique.
    const pid = this.uniq();
    const t0 = this.now();
    const a = rec.author;
    const idOf = (k: number) => `${stamp(t0)}.${pid}-${k}-${a.email}`;
    const vTag = rec.version > 1 ? ` v${rec.version}` : '';
    const tag = `${rfc ? 'RFC PATCH' : 'PATCH'}${vTag}`;
    const kind: MessageKind = rfc ? 'rfc' : 'patch';
    const cat: Category = rfc ? 'rfc' : 'series';
    const sub = rec.sub;
    const rootId = idOf(1);

    // Make the patches first: the cover letter summarises them.
    const patches: PatchInfo[] = [];
    for (let k = 0; k < m; k++) {
      const size = this.target(4600, 0.8, 1400);
      const v = new Voc(r, sub);
      const sites: Site[] = [];
      const [prose, qprose] = paragraphs(v, r.range(1, 3));
      const mp: string[] = [prose, '\n\n'];
      if (r.chance(0.25)) mp.push(`Fixes: ${r.hex(12)} ("${titleFor(sub, r.pick(TITLES)(v), r)}")\n`);
      if (r.chance(0.1)) {
        mp.push(`Reported-by: ${this.trailer(this.reviewer(sub, a))}\n`);
        mp.push(`Closes: https://lore.kernel.org/r/${r.hex(8)}-${r.hex(4)}-${r.hex(4)}@${r.pick(DOMAINS)}\n`);
      }
      if (r.chance(0.08)) mp.push('Cc: stable@vger.kernel.org\n');
      if (rec.version > 1 && r.chance(0.6)) {
        const n = r.range(1, 2);
        for (let i = 0; i < n; i++) mp.push(`${r.chance(0.7) ? 'Reviewed-by' : 'Acked-by'}: ${this.trailer(this.reviewer(sub, a))}\n`);
      }
      mp.push('Signed-off-by: ', a.name, ' <', a.email, '>\n');
      const msg = mp.join('');
      const notes = !cover && rec.version > 1 ? this.versionNotes(rec) + '\n' : '';
      // What is left after headers, message and diffstat goes to the diff.
      const files = this.patchDiff(rec, k, size - 1100 - msg.length - notes.length, sites);
      patches.push({ title: rec.titles[k], msg, proseLen: prose.length, qprose, notes, stat: diffstat(files), files, sites, k: k + 1, total: m, syscall: files.some((f) => f.path === TBL), size: 0 });
    }

    const to = rec.to;
    rec.ccList ??= addrList('Cc', rec.cc);
    const cc = rec.ccList;
    if (cover) {
      const v = new Voc(r, sub);
      const parts = [wrap(`This series ${r.pick(['reworks', 'cleans up', 'fixes several problems in', 'extends'])} ${v.noun}. ${r.pick(PROBLEMS)(v)}`), '\n\n'];
      const extra = r.range(2, 4);
      if (extra) parts.push(paragraphs(v, extra)[0], '\n\n');
      parts.push(wrap(`Patch 1 prepares ${v.fn}(), patches 2-${Math.max(2, m - 1)} convert the users, and the last patch removes the old interface.`), '\n\n');
      if (rec.version > 1) parts.push(this.versionNotes(rec), '\n');
      parts.push(`${a.name} (${m}):\n`);
      for (const p of patches) parts.push(`  ${p.title}\n`);
      parts.push('\n', diffstat(patches.flatMap((p) => p.files)), '\n');
      const quoteSrc = parts.join('');
      const body = `${quoteSrc}base-commit: ${r.hex(40)}\n${SIG_TAIL}\n`;
      const subject = `[${tag} 0/${m}] ${rec.title}`;
      const e: Entry = { id: rootId, kind: rfc ? 'rfc' : 'cover', subject, author: a, rootAuthor: a, date: t0, quoteSrc, refs: NO_REFS, cc, sub };
      this.emit(e, { from: a.addr, to, cc, subject, date: t0, tz: a.tz, id: rootId, gitSendEmail: true }, cat, body);
    }
    const coverRefs = refsOf([rootId]);
    for (let k = 0; k < m; k++) {
      const p = patches[k];
      const id = idOf(cover ? k + 2 : 1);
      const subject = cover ? `[${tag} ${k + 1}/${m}] ${p.title}` : `[${tag}] ${p.title}`;
      const date = t0 + k + (cover ? 1 : 0);
      const refs = cover ? coverRefs : NO_REFS;
      const e: Entry = { id, kind, subject, author: a, rootAuthor: a, date, quoteSrc: '', refs, cc, sub, patch: p };
      this.emit(e, { from: a.addr, to, cc, subject, date, tz: a.tz, id, inReplyTo: cover ? rootId : undefined, refs, gitSendEmail: true }, cat, patchBody(p));
    }
    rec.links.unshift(`v${rec.version}: https://lore.kernel.org/r/${rootId}/`);
  }

  private versionNotes(rec: SeriesRec): string {
    let s = '';
    for (let i = 0; i < rec.notes.length; i++) {
      s += `Changes since v${rec.version - 1 - i}:\n`;
      for (const n of rec.notes[i]) s += wrap(`- ${n}`, 72).replace(/\n/g, '\n  ') + '\n';
      s += '\n';
    }
    for (const l of rec.links) s += l + '\n';
    return s;
  }

  private patchDiff(rec: SeriesRec, k: number, budget: number, sites: Site[]): FileDiff[] {
    const r = this.r;
    const sub = rec.sub;
    const out: FileDiff[] = [];
    const sc = rec.syscall;
    if (sc && ((sc.mode === 'add' && k === 1) || (sc.mode === 'modify' && k === 0))) {
      for (const f of this.syscallDiff(sc)) {
        out.push(f);
        budget -= (f.literal as string).length;
      }
      if (budget < 400) return out;
    }
    const nFiles = Math.max(1, Math.min(6, Math.floor(budget / 1800) + r.range(0, 1)));
    const paths = new Set<string>();
    while (paths.size < Math.min(nFiles, sub.files.length)) paths.add(r.pick(sub.files));
    let i = 0;
    for (const path of paths) {
      const created = sc?.mode === 'add' && k === 2 && i === 0;
      const p = created ? `tools/testing/selftests/${sc?.name}/${sc?.name}_test.c` : path;
      out.push(makeFileDiff(r, sub.pool, p, Math.max(200, budget / paths.size), sites, created));
      i++;
    }
    return out;
  }

  private syscallDiff(sc: SyscallWork): FileDiff[] {
    const r = this.r;
    const idx = `index ${r.hex(12)}..${r.hex(12)} 100644\n`;
    const text = `diff --git a/${TBL} b/${TBL}\n${idx}--- a/${TBL}\n+++ b/${TBL}\n`;
    const literal = (path: string, t: string, h: { add: number; del: number }): FileDiff => ({ path, add: h.add, del: h.del, created: false, pool: null, ids: '', hunks: [], literal: t });
    if (sc.mode === 'add') {
      const b = sc.base;
      const lines: HunkLine[] = [
        { t: ' ', s: highRow(b - 2) },
        { t: ' ', s: highRow(b - 1) },
        { t: ' ', s: highRow(b) },
        { t: '+', s: tblRow(b + 1, 'common', sc.name, `sys_${sc.name}`) },
        { t: ' ', s: '' },
        { t: ' ', s: '#' },
        { t: ' ', s: '# Due to a historical design error, certain syscalls are numbered differently' },
      ];
      const start = tblLine(b - 2);
      const h = hunk(start, start, lines);
      // include/uapi/asm-generic/unistd.h
      const prev = SYSCALLS_HIGH[b - SYSCALLS_HIGH_FROM];
      const uni = 'include/uapi/asm-generic/unistd.h';
      const line = 780 + (b - SYSCALLS_HIGH_FROM) * 3;
      const u = hunk(line, line, [
        { t: ' ', s: `#define __NR_${prev} ${b}` },
        { t: ' ', s: `__SYSCALL(__NR_${prev}, sys_${prev})` },
        { t: ' ', s: '' },
        { t: '+', s: `#define __NR_${sc.name} ${b + 1}` },
        { t: '+', s: `__SYSCALL(__NR_${sc.name}, sys_${sc.name})` },
        { t: '+', s: '' },
        { t: ' ', s: '#undef __NR_syscalls' },
        { t: '-', s: `#define __NR_syscalls ${b + 1}` },
        { t: '+', s: `#define __NR_syscalls ${b + 2}` },
        { t: ' ', s: '' },
        { t: ' ', s: '/*' },
      ]);
      return [literal(TBL, text + h.text, h), literal(uni, `diff --git a/${uni} b/${uni}\nindex ${r.hex(12)}..${r.hex(12)} 100644\n--- a/${uni}\n+++ b/${uni}\n${u.text}`, u)];
    }
    // Modify rows: one hunk covering them, three rows of context either side.
    const first = Math.max(0, sc.rows[0] - 3);
    const last = Math.min(SYSCALLS_LOW.length - 1, sc.rows[sc.rows.length - 1] + 3);
    const lines: HunkLine[] = [];
    let added: HunkLine[] = [];
    for (let nr = first; nr <= last; nr++) {
      const [abi, name, entry] = SYSCALLS_LOW[nr];
      if (sc.rows.includes(nr)) {
        // As diff does: a run of changed rows is its removals, then its additions.
        lines.push({ t: '-', s: tblRow(nr, abi, name, entry) });
        added.push({ t: '+', s: tblRow(nr, abi, name, `__x64_${entry}`) });
      } else {
        lines.push(...added, { t: ' ', s: tblRow(nr, abi, name, entry) });
        added = [];
      }
    }
    lines.push(...added);
    const h = hunk(tblLine(first), tblLine(first), lines);
    return [literal(TBL, text + h.text, h)];
  }

  // ---- replies ---------------------------------------------------------------------------

  private pickParent(): Entry {
    const span = Math.min(this.emitted, WINDOW);
    let best: Entry | undefined;
    for (let i = 0; i < 6; i++) {
      const age = this.r.chance(0.5) ? Math.floor(Math.min(span, 64) * this.r.float()) : Math.floor(span * Math.pow(this.r.float(), 2));
      const e = this.recent(age);
      if (!e || e.kind === 'tipbot') continue;
      best = e;
      // Prefer patches and covers; replies and reports get answers too, less often.
      if (e.kind === 'patch' || e.kind === 'cover' || e.kind === 'rfc' || this.r.chance(0.35)) break;
    }
    return best ?? (this.recent(0) as Entry);
  }

  private attribution(p: Entry): string {
    const r = this.r;
    const d = new Date((p.date + p.author.tz * 60) * 1000);
    const hh = d.getUTCHours();
    const day = `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
    switch (r.int(5)) {
      case 0:
        return `On ${day} at ${p2(hh)}:${p2(d.getUTCMinutes())}, ${p.author.name} wrote:`;
      case 1:
        return `On ${DAYS[d.getUTCDay()]}, ${MONS[d.getUTCMonth()]} ${p2(d.getUTCDate())}, ${d.getUTCFullYear()} at ${p2(hh % 12 || 12)}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}${hh < 12 ? 'AM' : 'PM'} ${tzString(p.author.tz)}, ${p.author.name} wrote:`;
      case 2:
        return `* ${p.author.name} <${p.author.email}> wrote:`;
      case 3:
        return `On ${isoDay(p.date)} ${p2(hh)}:${p2(d.getUTCMinutes())}, ${p.author.name} wrote:`;
      default:
        return `On ${day}, ${p.author.name} wrote:`;
    }
  }

  /** The parent as replies quote it, cached for the replies that follow. */
  private quotedOf(e: Entry): string {
    const hit = this.quotes.get(e);
    if (hit !== undefined) return hit;
    const text = quoteText(e.quoteSrc);
    this.quotes.set(e, text);
    if (this.quotes.size > QUOTE_CACHE) this.quotes.delete(this.quotes.keys().next().value as Entry);
    return text;
  }

  /**
   * Quote about `budget` bytes of the parent into `parts`, in blocks with the replier's comments
   * between them; `src` gets what a reply to this reply would quote (the comments, and the last
   * lines of each block).
   */
  private quote(parent: Entry, budget: number, comment: () => string, parts: string[], src: string[]): void {
    if (parent.patch) return this.quotePatch(parent.patch, budget, comment, parts, src);
    const r = this.r;
    const text = this.quotedOf(parent);
    const total = text.length;
    const blocks = total <= budget ? r.range(1, 3) : r.range(1, 4);
    const perBlock = Math.max(120, Math.min(total, budget) / blocks);
    let pos = 0;
    for (let b = 0; b < blocks && pos < total; b++) {
      if (total > budget && b > 0) {
        // Skip ahead in proportion to what is not quoted.
        const skip = Math.floor((((total - pos) * (1 - budget / total)) / (blocks - b)) * r.float());
        if (skip > 200) {
          const nl = text.indexOf('\n', pos + skip);
          if (nl < 0) break;
          pos = nl + 1;
          if (r.chance(0.5)) parts.push('[...]\n\n');
        }
      }
      if (pos >= total) break;
      const nl = text.indexOf('\n', Math.min(total - 1, pos + perBlock));
      const end = nl < 0 ? total : nl + 1;
      const block = text.slice(pos, end);
      parts.push(block);
      src.push(tailLines(block, 12));
      pos = end;
      const c = comment();
      if (c) {
        parts.push('\n', c, '\n\n');
        src.push('\n', c, '\n\n');
      }
    }
  }

  /**
   * A review quotes a patch hunk by hunk: the commit message, then the hunks it comments on,
   * skipping others when the reply is shorter than the patch. Rendered from the pools, so the
   * cost follows what is quoted, not the size of the patch.
   */
  private quotePatch(p: PatchInfo, budget: number, comment: () => string, parts: string[], src: string[]): void {
    const r = this.r;
    let used = 0;
    let said = false;
    const commentOften = r.chance(0.5);
    const say = () => {
      const c = comment();
      said = c !== '';
      if (said) {
        parts.push('\n', c, '\n\n');
        src.push('\n', c, '\n\n');
      }
    };
    if (budget >= p.size || r.chance(0.75)) {
      const q = p.qprose + '>\n' + quoteText(p.msg.slice(p.proseLen + 2));
      parts.push(q, '> ---\n');
      src.push(tailLines(q, 2));
      used += q.length;
      if (r.chance(0.3)) say();
    }
    // Skip hunks in proportion to what does not fit, a little less so that the budget fills up.
    const skip = budget >= p.size ? 0 : Math.min(0.9, 0.7 * (1 - budget / Math.max(1, p.size)));
    for (const f of p.files) {
      if (used >= budget) break;
      if (f.literal !== null) {
        if (!r.chance(skip)) {
          const q = quoteText(f.literal);
          parts.push(q);
          src.push(tailLines(q, 3));
          used += q.length;
          say();
        }
        continue;
      }
      let headed = false;
      const n = f.created ? 1 : f.hunks.length / HUNK;
      for (let i = 0; i < n && used < budget; i++) {
        if (r.chance(skip)) continue;
        if (!headed) {
          const h = renderFileHeader(f, true);
          parts.push(h);
          used += h.length;
          headed = true;
        }
        said = false;
        used += renderHunk(f, i * HUNK, true, parts);
        src.push(tailLines(parts[parts.length - 1], 10)); // most of the hunk: replies to this reply quote it again
        if (commentOften ? r.chance(0.5) : r.chance(0.15)) say();
      }
    }
    if (!said) say();
  }

  private replyUnit(): void {
    const r = this.r;
    const parent = this.pickParent();
    const sub = parent.sub;
    const isPatchy = parent.kind === 'patch' || parent.kind === 'cover' || parent.kind === 'rfc';
    let author: Author;
    if (parent.kind === 'pull' && r.chance(0.6)) return this.prTracker(parent);
    if (!isPatchy && parent.author !== parent.rootAuthor && r.chance(0.45)) author = parent.rootAuthor;
    else if (parent.kind === 'robot') author = parent.rootAuthor;
    else author = this.reviewer(sub, parent.author);
    const v = new Voc(r, sub);
    const u = r.float();
    type Mode = 'ack' | 'review' | 'build' | 'fixup' | 'discuss';
    const mode: Mode = isPatchy
      ? u < 0.28 ? 'ack' : u < 0.56 ? 'review' : u < 0.68 ? 'build' : u < 0.78 ? 'fixup' : 'discuss'
      : u < 0.1 ? 'ack' : u < 0.18 ? 'build' : u < 0.3 ? 'fixup' : 'discuss';
    const size = this.target(6500, 0.95, 600);
    let own = '';
    let extra = '';
    let trailerLine = '';
    const greeting = r.chance(0.3) ? `Hi ${parent.author.first},\n\n` : '';
    const patchRef = parent.patch ? `patch ${parent.patch.k}/${parent.patch.total}` : 'this patch';
    switch (mode) {
      case 'ack': {
        const kindOf = r.float();
        const tr = kindOf < 0.55 ? 'Reviewed-by' : kindOf < 0.85 ? 'Acked-by' : 'Tested-by';
        trailerLine = `${parent.kind === 'cover' && r.chance(0.6) ? 'For the series:\n\n' : ''}${tr}: ${this.trailer(author)}\n`;
        own = r.chance(0.5) ? r.pick(['Looks good to me.', 'LGTM.', 'Nice cleanup.', 'Makes sense.', 'Thanks for fixing this.']) + '\n\n' : '';
        break;
      }
      case 'review':
        if (r.chance(0.2)) trailerLine = `With that fixed:\n\nReviewed-by: ${this.trailer(author)}\n`;
        break;
      case 'build': {
        own = wrap(`${r.pick(['This breaks the build for me', 'I see a build failure', 'With this applied, the build fails', 'linux-next fails to build'])} with ${r.pick(['allmodconfig', 'defconfig', 'ARCH=um defconfig', `${v.cfg}=n`, 'clang-18 allyesconfig'])}:`) + '\n\n';
        extra = this.buildLog(sub, parent.patch, Math.max(600, Math.min(size / 2, 6000))) + '\n';
        extra += wrap(r.pick([`Looks like ${patchRef} is missing an include.`, `Caused by ${patchRef}, I think.`, 'That build failure is already present in mainline, though.', `I have reverted ${patchRef} for today.`])) + '\n\n';
        if (r.chance(0.25)) extra += this.fixup(author, sub, parent, v);
        break;
      }
      case 'fixup':
        own = wrap(r.pick([`Something like the below should fix it; could be folded into ${patchRef}.`, 'Does the below help?', 'Untested fix below.', 'I have applied the following fix up patch for today:', `Fixup patch below; could be folded with ${patchRef}. Or ${patchRef} could simply be dropped from the series.`])) + '\n\n';
        extra = this.fixup(author, sub, parent, v);
        break;
      case 'discuss':
        break;
    }
    const overhead = 900 + own.length + extra.length + trailerLine.length;
    const quoteBudget = Math.max(200, size - overhead);
    const pool = mode === 'discuss' ? sub.prose.discuss : sub.prose.comments;
    const attribution = this.attribution(parent);
    const parts = [greeting, attribution, '\n'];
    const src = [attribution, '\n'];
    if (mode === 'ack' || mode === 'build' || mode === 'fixup') {
      // Quote, then say one's piece once at the end.
      this.quote(parent, quoteBudget, () => '', parts, src);
      parts.push('\n', own, extra, trailerLine);
      // A long log or fixup is cut at a line for what later replies can quote.
      src.push('\n', own, extra.length > 1500 ? extra.slice(0, extra.indexOf('\n', 1500) + 1) : extra, trailerLine);
    } else {
      this.quote(parent, quoteBudget, () => r.pick(pool), parts, src);
      parts.push(trailerLine);
      src.push(trailerLine);
    }
    parts.push('\n', this.signoff(author));
    const body = parts.join('');
    const date = Math.max(this.now(), parent.date + this.delay(60, 7200));
    const refs = childRefs(parent);
    const id = this.replyId(author, date);
    const subject = parent.subject.startsWith('Re: ') ? parent.subject : 'Re: ' + parent.subject;
    const cc = this.replyCc(parent, author);
    const e: Entry = { id, kind: 'reply', subject, author, rootAuthor: parent.rootAuthor, date, quoteSrc: src.join(''), refs, cc, sub };
    const extraHead = author.idStyle === 0 ? 'User-Agent: Mutt/2.2.9 (2022-11-12)\n' : author.idStyle === 2 ? 'User-Agent: Mozilla Thunderbird\nContent-Language: en-US\n' : '';
    const subjectText = subject === parent.subject ? parent.subjectText : undefined;
    this.emit(e, { from: author.addr, to: [parent.author.addr], cc, subject, subjectText, date, tz: author.tz, id, inReplyTo: parent.id, refs, extra: extraHead }, 'reply', body);
  }

  /** The parent's Cc list (shared, with its folded header) unless it has to change. */
  private replyCc(parent: Entry, author: Author): AddrList {
    const list = parent.cc.list;
    const addMaintainer = parent.kind !== 'reply' && parent.kind !== 'robot' && this.r.chance(0.3);
    if (!addMaintainer && !list.includes(author.addr) && list.length <= 14) return parent.cc;
    let out = list.includes(author.addr) ? list.filter((c) => c !== author.addr) : list;
    if (addMaintainer) out = [this.r.pick(parent.sub.maintainers).addr, ...out];
    return addrList('Cc', out.length > 14 ? out.slice(0, 14) : out);
  }

  private signoff(a: Author): string {
    switch (this.r.int(6)) {
      case 0:
        return `Thanks,\n${a.first}\n`;
      case 1:
        return `-- \n${a.name}\n`;
      case 2:
        return `Cheers,\n${a.first}\n`;
      case 3:
        return `Regards,\n${a.name}\n`;
      case 4:
        return a.sign.startsWith('\t') ? `Thanks,\n\n${a.sign}\n` : `Thanks,\n\n\t${a.first}\n`;
      default:
        return `${a.first}\n`;
    }
  }

  /** Unique by construction: every style carries mix32 of the message's position. */
  private replyId(a: Author, date: number): string {
    const r = this.r;
    const u = this.uniq();
    switch (a.idStyle) {
      case 0:
        return `Z${b62fixed(u, 6)}${r.base62(9)}@${a.host}`;
      case 1:
        return `CA${r.base62(6)}+${b62fixed(u, 6)}${r.base62(22)}@mail.gmail.com`;
      case 2:
        return `${u.toString(16).padStart(8, '0')}-${r.hex(4)}-${r.hex(4)}-${r.hex(4)}-${r.hex(12)}@${a.email.split('@')[1]}`;
      default:
        return `alpine.DEB.2.22.394.${stamp(date, 12)}.${u}@${a.host}`;
    }
  }

  private fixup(author: Author, sub: Subsys, parent: Entry, v: Voc): string {
    const r = this.r;
    const files = parent.patch?.files.filter((f) => f.pool !== null && !f.created).map((f) => f.path) ?? [];
    const path = files.length ? r.pick(files) : r.pick(sub.files);
    const d = makeFileDiff(r, sub.pool, path, r.range(300, 1400), []);
    const title = titleFor(sub, r.pick([`fix build with ${v.cfg}=n`, `fix ${v.fn}() return value`, `fold in review feedback`, `fix UML build`, `add missing include`]), r);
    const msg = wrap(r.pick(PROBLEMS)(v) + ' ' + r.pick(SOLUTIONS)(v)) + '\n\n';
    const so = `Signed-off-by: ${this.trailer(author)}\n`;
    const tail = `---\n${diffstat([d])}\n${renderFiles([d], false)}`;
    const style = r.float();
    if (style < 0.7) {
      return `${r.pick(['-- >8 --', '--- >8 ---', '-->8--'])}\nFrom: ${author.name} <${author.email}>\nSubject: [PATCH] ${title}\n\n${msg}${so}${tail}\n`;
    }
    if (style < 0.85) {
      // format-patch output pasted whole: its first line is a From_ line, which mboxrd must quote.
      return `----8<----\nFrom ${r.hex(40)} Mon Sep 17 00:00:00 2001\nFrom: ${author.name} <${author.email}>\nDate: ${rfcDate(parent.date + 600, author.tz)}\nSubject: [PATCH] ${title}\n\n${msg}${so}${tail}\n`;
    }
    return `8<-----------------\n\nSubject: ${title}\nFrom: ${author.name} <${author.email}>\nDate: ${rfcDate(parent.date + 600, author.tz)}\n\n${msg}Not-${so}${tail}\n`;
  }

  /** A gcc/make (or linker) log that fails on lines the patch added. */
  /** `robot`: the robot's layout (">>" on new errors, no make chain); `clang`: clang's wording (else chosen at random). */
  private buildLog(sub: Subsys, patch: PatchInfo | undefined, budget: number, robot = false, clang = this.r.chance(0.3)): string {
    const r = this.r;
    const sites = patch?.sites.length ? patch.sites : [];
    const pool = sub.pool;
    const pickSite = (): Site => (sites.length ? r.pick(sites) : { file: r.pick(sub.files), line: r.range(40, 2400), at: r.int(pool.lines.length), func: r.pick(pool.funcs) });
    let out = '';
    const prefix = robot ? '   ' : '';
    if (!robot) {
      const n = r.range(1, 6);
      for (let i = 0; i < n; i++) out += `  CC      ${r.pick(sub.files).replace(/\.[ch]$/, '.o')}\n`;
    }
    if (patch?.syscall && r.chance(0.6)) {
      const name = r.pick(NEW_SYSCALLS);
      out += `${prefix}In file included from arch/x86/entry/syscall_64.c:29:\n`;
      out += `${robot ? '>> ' : ''}./arch/x86/include/generated/asm/syscalls_64.h:${r.range(400, 470)}:1: error: '__x64_sys_${name}' undeclared here (not in a function); did you mean '__x64_sys_${name}2'?\n`;
      out += `${prefix}make[${r.range(3, 5)}]: *** [scripts/Makefile.build:243: arch/x86/entry/syscall_64.o] Error 1\n`;
    }
    const goal = out.length + budget;
    let first = true;
    while (out.length < goal) {
      const s = pickSite();
      const fnName = pool.callName[s.at] || s.func;
      const col = pool.indent[s.at] * 8 + 1 + r.int(10);
      const shown = pool.expanded[s.at];
      const msg = clang ? clangMessage(r, sub, fnName) : gccMessage(r, sub, fnName);
      if (first || r.chance(0.3)) out += `${prefix}${s.file}: In function '${s.func}':\n`;
      out += `${robot ? '>> ' : ''}${s.file}:${s.line}:${col}: ${msg}\n`;
      out += `${prefix}${String(s.line).padStart(5)} | ${shown}\n${prefix}      | ${' '.repeat(Math.max(0, col - 1))}^${'~'.repeat(r.range(0, 12))}\n`;
      first = false;
      if (r.chance(0.3)) {
        const ld = pickSite();
        out += `${prefix}ld: vmlinux.o: in function \`${ld.func}':\n${prefix}${ld.file}:${ld.line}:(.text+0x${r.hex(3)}): undefined reference to \`${s.func}'\n`;
      }
    }
    const obj = sites.length ? sites[0].file.replace(/\.[ch]$/, '.o') : r.pick(sub.files).replace(/\.[ch]$/, '.o');
    const dir = obj.split('/').slice(0, -1);
    if (!clang) out += `${prefix}cc1: some warnings being treated as errors\n`;
    out += `${prefix}make[${dir.length + 2}]: *** [scripts/Makefile.build:${r.pick(['243', '250', '244'])}: ${obj}] Error 1\n`;
    for (let i = dir.length; i > 0 && !robot; i--) out += `make[${i + 1}]: *** [scripts/Makefile.build:${r.pick(['480', '485', '500'])}: ${dir.slice(0, i).join('/')}] Error 2\n`;
    if (!robot) out += `make[1]: *** [/home/${r.pick(['sfr', 'build', 'user'])}/linux/Makefile:${r.range(1900, 2000)}: .] Error 2\nmake: *** [Makefile:${r.range(220, 240)}: __sub-make] Error 2\n`;
    return out;
  }

  private prTracker(parent: Entry): void {
    const r = this.r;
    const date = Math.max(this.now(), parent.date + this.delay(600, 86400));
    const quoteSrc =
      `The pull request you sent on ${rfcDate(parent.date, parent.author.tz)}:\n\n` +
      `> ${parent.pull?.repo ?? 'git://git.kernel.org/pub/scm/linux/kernel/git/tip/tip.git'} ${parent.pull?.tag ?? 'tags/fixes'}\n\n` +
      `has been merged into torvalds/linux.git:\nhttps://git.kernel.org/torvalds/c/${r.hex(40)}\n\nThank you!\n`;
    const body = `${quoteSrc}\n-- \nDeet-doot-dot, I am a bot.\nhttps://korg.docs.kernel.org/prtracker.html\n`;
    const id = `${r.hex(32)}.${this.uniq()}@pr-tracker-bot.kernel.org`;
    const subject = 'Re: ' + parent.subject;
    const refs = childRefs(parent);
    const cc = addrList('Cc', [LINUS.addr, ...parent.cc.list].slice(0, 6));
    const e: Entry = { id, kind: 'reply', subject, author: PR_BOT, rootAuthor: parent.rootAuthor, date, quoteSrc, refs, cc, sub: parent.sub };
    this.emit(e, { from: PR_BOT.addr, to: [parent.author.addr], cc, subject, date, tz: 0, id, inReplyTo: parent.id, refs }, 'reply', body);
  }

  // ---- bots and pulls --------------------------------------------------------------------

  private robotUnit(): void {
    const r = this.r;
    const target = this.findPatch(64, true);
    if (!target || !target.patch) return this.seriesUnit(false);
    const p = target.patch;
    const sub = target.sub;
    const date = Math.max(this.now(), target.date + this.delay(1800, 3 * 86400));
    const reportId = `${stamp(date, 12)}.${b62fixed(this.uniq(), 6)}${r.base62(2)}-lkp@intel.com`;
    const day = stamp(date, 8);
    const arch = r.pick(['x86_64', 'i386', 'arm64', 'arm', 'riscv', 'powerpc', 's390', 'loongarch', 'um']);
    const config = `${arch}-${r.pick([`randconfig-r0${r.range(10, 99)}-${day}`, 'allyesconfig', 'defconfig', 'allmodconfig', `buildonly-randconfig-00${r.range(1, 6)}-${day}`, 'rhel-9.4'])}`;
    const compiler = r.pick(['gcc-12 (Debian 12.2.0-14) 12.2.0', `clang version 19.1.3 (https://github.com/llvm/llvm-project ${r.hex(40)})`, 'gcc-13 (Ubuntu 13.2.0-4ubuntu3) 13.2.0', 'gcc-14.2.0']);
    const size = this.target(5200, 0.5, 2500);
    const newThread = r.chance(0.2);
    const short = p.title.replace(/[^A-Za-z0-9]+/g, '-').replace(/-+$/, '');
    const authorSlug = target.author.name.replace(/[^A-Za-z0-9]+/g, '-');
    let body = newThread ? '' : `Hi ${target.author.first},\n\nkernel test robot noticed the following build errors:\n\n`;
    let subject: string;
    if (newThread) {
      const site = p.sites[0];
      const loc = site ? `${site.file}:${site.line}:${r.range(2, 40)}` : p.files[0].path;
      subject = `[${sub.base.replace('/', ':')} ${p.k}/${p.total}] ${loc}: error: implicit declaration of function '${site ? site.func : 'init'}'`;
      body +=
        `tree:   https://git.kernel.org/pub/scm/linux/kernel/git/${sub.base.split('/')[0]}/linux.git ${sub.base.split('/').slice(1).join('/')}\n` +
        `head:   ${r.hex(40)}\ncommit: ${r.hex(40)} [${p.k}/${p.total}] ${p.title}\n`;
    } else {
      subject = 'Re: ' + target.subject;
      body +=
        `[auto build test ERROR on ${sub.base}]\n[also build test ERROR on linus/master ${r.pick(TAGS)} next-${day}]\n` +
        `[If your patch is applied to the wrong git tree, kindly drop us a note.\nAnd when submitting patch, we suggest to use '--base' as documented in\nhttps://git-scm.com/docs/git-format-patch#_base_tree_information]\n\n` +
        `url:    https://github.com/intel-lab-lkp/linux/commits/${authorSlug}/${short}/${day}-${p2(r.int(24))}${p2(r.int(60))}${p2(r.int(60))}\n` +
        `base:   ${sub.base}\npatch link:    https://lore.kernel.org/r/${target.id}\npatch subject: ${target.subject}\n`;
    }
    body +=
      `config: ${config} (https://download.01.org/0day-ci/archive/${day}/${reportId.replace('-lkp@intel.com', '')}-lkp@intel.com/config)\n` +
      `compiler: ${compiler}\n` +
      `reproduce (this is a W=1 build): (https://download.01.org/0day-ci/archive/${day}/${reportId}/reproduce)\n\n` +
      `If you fix the issue in a separate patch/commit (i.e. not just a new version of\nthe same patch/commit), kindly add following tags\n` +
      `| Reported-by: kernel test robot <lkp@intel.com>\n| Closes: https://lore.kernel.org/oe-kbuild-all/${reportId}/\n\n` +
      'All errors (new ones prefixed by >>):\n\n';
    body += this.buildLog(sub, p, Math.max(300, (size - body.length - 1500) * 0.4), true, compiler.startsWith('clang')) + '\n\n';
    const pool = sub.pool;
    const site = p.sites[0] ?? { file: p.files[0].path, line: r.range(50, 900), at: r.int(pool.lines.length), func: 'init' };
    const quoteSrc = body;
    // The code around the failing line, as the robot shows it: the pool lines around site.at.
    const vim = [body, `vim +${site.line} ${site.file}\n\n`];
    const before = Math.min(site.at, site.line - 1, r.range(10, 30));
    let idx = site.at - before;
    let ln = site.line - before;
    let len = body.length;
    const goal = size - 200;
    while (len < goal && idx < pool.lines.length) {
      const l = `${ln === site.line ? ' > ' : '   '}${String(ln).padStart(4)}\t${pool.lines[idx]}\n`;
      vim.push(l);
      len += l.length;
      ln++;
      idx++;
    }
    vim.push('\n-- \n0-DAY CI Kernel Test Service\nhttps://github.com/intel/lkp-tests/wiki\n');
    body = vim.join('');
    const to = [target.author.addr];
    const cc = addrList('Cc', ['oe-kbuild-all@lists.linux.dev', ...(arch === 'um' || compiler.startsWith('clang') ? ['llvm@lists.linux.dev'] : []), ...sub.lists]);
    const refs = newThread ? NO_REFS : childRefs(target);
    // A new-thread report's thread is answered by the patch author, as is a reply's.
    const e: Entry = { id: reportId, kind: 'robot', subject, author: ROBOT, rootAuthor: newThread ? target.author : target.rootAuthor, date, quoteSrc, refs, cc, sub };
    this.emit(e, { from: ROBOT.addr, to, cc, subject, date, tz: ROBOT.tz, id: reportId, inReplyTo: newThread ? undefined : target.id, refs, extra: 'Content-Disposition: inline\n' }, 'robot', body);
  }

  private tipbotUnit(): void {
    const r = this.r;
    let target: Entry | undefined;
    // tip takes x86, scheduler, locking and timer patches; failing those, any patch will do.
    for (let i = 0; i < 20 && !target; i++) {
      const t = this.findPatch(64, false);
      if (t && (t.sub.tip || i === 19)) target = t;
    }
    if (!target || !target.patch) return this.seriesUnit(false);
    const p = target.patch;
    const branch = target.sub.tip ? r.pick(target.sub.tip) : r.pick(['x86/urgent', 'core/urgent', 'irq/core', 'perf/core']);
    const committer = r.pick(this.subs[0].maintainers);
    const author = target.author;
    const date = Math.max(this.now(), target.date + this.delay(3600, 5 * 86400));
    const sha = r.hex(40);
    const title = p.title;
    let msg = p.msg;
    msg += `Signed-off-by: ${this.trailer(committer)}\n`;
    if (r.chance(0.5)) msg += `Reviewed-by: ${this.trailer(this.reviewer(target.sub, author))}\n`;
    msg += `Link: https://lore.kernel.org/r/${target.id}\n`;
    const body =
      `The following commit has been merged into the ${branch} branch of tip:\n\n` +
      `Commit-ID:     ${sha}\nGitweb:        https://git.kernel.org/tip/${sha}\n` +
      `Author:        ${author.name} <${author.email}>\nAuthorDate:    ${gitDate(target.date, author.tz)}\n` +
      `Committer:     ${committer.name} <${committer.email}>\nCommitterDate: ${gitDate(date - 600, committer.tz)}\n\n` +
      `${title}\n\n${msg}---\n${p.stat}\n${renderFiles(p.files, false)}`;
    const id = `${date}${r.range(100, 999)}.${r.range(10000, 99999)}.${this.uniq()}.tip-bot2@tip-bot2`;
    const subject = `[tip: ${branch}] ${title}`;
    const from = `${headerName(`tip-bot2 for ${author.name}`)} <tip-bot2@linutronix.de>`;
    const cc = addrList('Cc', [author.email, committer.addr, 'x86@kernel.org', 'linux-kernel@vger.kernel.org']);
    const refs = refsOf([target.id]);
    // Nobody replies to tip-bot (pickParent skips it), so there is nothing to keep for quoting.
    const e: Entry = { id, kind: 'tipbot', subject, author: { ...author, addr: from }, rootAuthor: author, date, quoteSrc: '', refs, cc, sub: target.sub };
    this.emit(e, { from, to: ['linux-tip-commits@vger.kernel.org'], cc, subject, date, tz: 0, id, inReplyTo: target.id, refs, extra: 'Sender: tip-bot2@linutronix.de\nReply-to: linux-kernel@vger.kernel.org\nRobot-ID: <tip-bot2@linutronix.de>\n' }, 'tipbot', body);
  }

  private pullUnit(): void {
    const r = this.r;
    const sub = this.pickSub();
    const author = sub.maintainers[0];
    const date = this.now();
    const size = this.target(4500, 0.75, 1800);
    const tagDate = isoDay(date);
    const rel = r.pick(TAGS);
    const fixes = r.chance(0.6);
    const tag = `tags/${sub.pullName}-${fixes ? tagDate : `${rel.replace(/-rc\d+$/, '')}`}`;
    const subject = `[GIT PULL] ${sub.key === 'x86' ? 'x86/urgent' : sub.key} ${fixes ? `fixes for ${rel}` : `updates for ${rel.replace(/-rc\d+$/, '')}`}`;
    const v = new Voc(r, sub);
    let body = `Hi Linus,\n\n${wrap(`${r.pick(['Please pull', 'Here are', 'The following are'])} the ${fixes ? 'fixes' : 'updates'} for ${sub.key} for ${rel}. ${r.pick(SOLUTIONS)(v)}`)}\n\n`;
    const quoteSrc = body;
    body += `The following changes since commit ${r.hex(40)}:\n\n  Linux ${rel.slice(1)} (${isoDay(date - 86400 * r.range(2, 9))} 15:24:37 -0700)\n\nare available in the Git repository at:\n\n  ${sub.repo} ${tag}\n\n`;
    const commits: { who: Author; title: string; change: FileChange }[] = [];
    const files = new Map<string, FileChange>();
    let approx = body.length + 1500;
    while ((approx < size || commits.length === 0) && commits.length < 400) {
      const who = r.chance(0.3) ? author : this.pickAuthor();
      const title = titleFor(sub, r.pick(TITLES)(new Voc(r, sub)), r);
      const path = r.pick(sub.files);
      const add = r.range(1, 60);
      const del = r.range(0, 40);
      commits.push({ who, title, change: { path, add, del, created: false } });
      const f = files.get(path);
      if (f) {
        f.add += add;
        f.del += del;
      } else {
        files.set(path, { path, add, del, created: false });
        approx += 80;
      }
      approx += title.length + 8 + (r.chance(0.5) ? 20 : 0);
      if (commits.length % 6 === 0) {
        // Bigger pulls touch more files than the subsystem's usual handful.
        const extraPath = `${r.pick(sub.files).replace(/[^/]+$/, '')}${r.pick(sub.stems)}_${r.pick(SUFFIXES)}.c`;
        if (!files.has(extraPath)) {
          files.set(extraPath, { path: extraPath, add: r.range(1, 80), del: r.range(0, 30), created: false });
          approx += 80;
        }
      }
    }
    const last = commits[commits.length - 1];
    body += `for you to fetch changes up to ${r.hex(40)}:\n\n  ${last.title} (${isoDay(date - 3600)} 10:11:04 +0200)\n\n`;
    body += `----------------------------------------------------------------\n${paragraphs(v, 1)[0]}\n\n----------------------------------------------------------------\n`;
    const byAuthor = new Map<Author, string[]>();
    for (const c of commits) {
      const l = byAuthor.get(c.who);
      if (l) l.push(c.title);
      else byAuthor.set(c.who, [c.title]);
    }
    for (const [who, titles] of byAuthor) {
      body += `${who.name} (${titles.length}):\n`;
      for (const t of titles) body += `      ${t}\n`;
      body += '\n';
    }
    body += diffstat([...files.values()]);
    const id = `${this.replyId(author, date)}`;
    const cc = addrList('Cc', sub.lists);
    const e: Entry = { id, kind: 'pull', subject, author, rootAuthor: author, date, quoteSrc, refs: NO_REFS, cc, sub, pull: { repo: sub.repo, tag } };
    this.emit(e, { from: author.addr, to: [LINUS.addr], cc, subject, date, tz: author.tz, id }, 'pull', body);
  }
}

/**
 * LKML-like messages, streamed. Deterministic: the same options give the same bytes.
 * Memory stays bounded whatever `messages` is.
 */
export function* generateMessages(opts: GenerateOptions): Generator<GeneratedMessage> {
  yield* new Generator_(opts).run();
}

// ---------------------------------------------------------------------------------------------
// Writers

const NEEDS_QUOTE = /^>*From /m;
const QUOTE_FROM = /^(>*From )/gm;

/** mboxrd quoting: every line matching /^>*From / gets one more '>'. */
export function mboxrdEscape(bytes: Buffer): Buffer {
  if (bytes.indexOf('From ') < 0) return bytes;
  const s = bytes.toString('latin1');
  if (!NEEDS_QUOTE.test(s)) return bytes;
  return Buffer.from(s.replace(QUOTE_FROM, '>$1'), 'latin1');
}

export const MBOX_FROM_LINE = 'From mboxrd@z Thu Jan  1 00:00:00 1970\n';
const FROM_LINE_BYTES = Buffer.from(MBOX_FROM_LINE);
const NL = Buffer.from('\n');

/** The deterministic maildir name of the n-th message (0-based), as found in cur/. */
export function maildirFileName(m: GeneratedMessage, n: number, seed: number): string {
  return `${m.date}.M${n}P${seed}.bench:2,S`;
}

/** mboxrd framing of one message: From_ line, >From quoting, and a blank line after it. */
function mboxParts(m: GeneratedMessage, out: Buffer[]): number {
  const body = mboxrdEscape(m.bytes);
  out.push(FROM_LINE_BYTES, body);
  let len = FROM_LINE_BYTES.length + body.length + 1;
  if (body[body.length - 1] !== 0x0a) {
    out.push(NL);
    len++;
  }
  out.push(NL);
  return len;
}

function writeAll(fd: number, buf: Uint8Array): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off);
}

/** Write an mboxrd file of the corpus, streaming. */
export function writeMbox(path: string, opts: GenerateOptions): WriteStats {
  const t0 = process.hrtime.bigint();
  const fd = openSync(path, 'w');
  let messages = 0;
  let bytes = 0;
  try {
    let pending: Buffer[] = [];
    let pendingLen = 0;
    const flush = () => {
      writeAll(fd, Buffer.concat(pending, pendingLen));
      bytes += pendingLen;
      pending = [];
      pendingLen = 0;
    };
    for (const m of generateMessages(opts)) {
      pendingLen += mboxParts(m, pending);
      messages++;
      if (pendingLen >= 4 << 20) flush();
    }
    if (pendingLen) flush();
  } finally {
    closeSync(fd);
  }
  return { messages, bytes, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

/** Write a maildir of the corpus: PATH/{cur,new,tmp}, one file per message in cur/, flagged seen. */
export function writeMaildir(dir: string, opts: GenerateOptions): WriteStats {
  const t0 = process.hrtime.bigint();
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  const cur = join(dir, 'cur');
  let messages = 0;
  let bytes = 0;
  for (const m of generateMessages(opts)) {
    writeFileSync(join(cur, maildirFileName(m, messages, opts.seed)), m.bytes);
    bytes += m.bytes.length;
    messages++;
  }
  return { messages, bytes, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

// ---------------------------------------------------------------------------------------------
// CLI

const USAGE = 'usage: npx tsx bench/generate.ts --messages N --seed S --format mbox|maildir --out PATH';

export function main(argv: string[]): number {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        messages: { type: 'string', short: 'n' },
        seed: { type: 'string', short: 's', default: '1' },
        format: { type: 'string', short: 'f', default: 'mbox' },
        out: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const messages = Number(values.messages);
  const seed = Number(values.seed);
  const format = values.format;
  const out = values.out;
  if (!Number.isSafeInteger(messages) || messages < 0 || !Number.isSafeInteger(seed) || (format !== 'mbox' && format !== 'maildir') || typeof out !== 'string' || !out) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const opts = { messages, seed };
  const stats = format === 'mbox' ? writeMbox(out, opts) : writeMaildir(out, opts);
  const rate = stats.seconds > 0 ? Math.round(stats.messages / stats.seconds) : stats.messages;
  process.stderr.write(
    `wrote ${stats.messages} messages (${(stats.bytes / 1048576).toFixed(1)} MiB) to ${out} as ${format} in ${stats.seconds.toFixed(2)} s (${rate} msg/s)\n`,
  );
  return 0;
}

function isMain(): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  try {
    return realpathSync(arg) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) process.exitCode = main(process.argv.slice(2));
