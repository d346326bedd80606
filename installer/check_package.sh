#!/usr/bin/env bash
# The package check (CI runs it after the tests; as root, on a Debian-like machine with apt):
# build the bundle and the .deb, install the .deb with apt, start the installed program offscreen on a
# fresh data folder, encrypt a copy of the released demo archive with `setup`, add a casework account with
# `users add`, print a household sheet and export a roster (plain and with an opening password) through
# the installed command line as that account and read them back, compare start times with
# `python -m zhuji_archive`, install the same .deb over itself, remove it, and prove the data folder was
# not touched. The NSIS script is compiled against the bundle's file list by the build step.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
START=$(date +%s%N)
elapsed() { echo $(( ($(date +%s%N) - START) / 1000000000 )); }
step() { echo; echo "== $* （已用 $(elapsed) 秒）"; }
fail() { echo "包检查失败：$*" >&2; exit 1; }
PY=$ROOT/.venv/bin/python
FIXTURE=$ROOT/tests/fixtures/archive-0.1.0
WORK=$(mktemp -d /tmp/zhuji-package-check.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

step "构建程序文件夹、.deb 和 NSIS 编译检查"
python3 tasks.py package --deb-compression gzip "$@"  # (--reuse-bundle while working on this script)
VERSION=$($PY -c 'import zhuji_archive; print(zhuji_archive.__version__)')
DEB=$(ls "$ROOT"/dist/zhuji-archive_"$VERSION"_*.deb)
test -f "$ROOT/build/nsis/compile-check-setup.exe" || fail "makensis 没有生成安装程序"
if cat "$ROOT/build/nsis/uninstall.nsh" installer/zhuji-archive.nsi | grep -v '^[[:space:]]*;' | grep -qiE 'RMDir[[:space:]]+/r'; then
  fail "卸载脚本中出现了递归删除"
fi
[ "$(grep -c '^File ' "$ROOT/build/nsis/files.nsh")" = "$(grep -c '^Delete ' "$ROOT/build/nsis/uninstall.nsh")" ] \
  || fail "NSIS 安装清单与卸载清单的文件数不一致"
echo "程序文件夹 $(du -sh dist/zhuji-archive | cut -f1)，软件包 $(du -h "$DEB" | cut -f1)（gzip 压缩；发布用 xz 更小）"

step "用 apt 安装 $(basename "$DEB")"
apt-get install -y -qq "$DEB" >/dev/null
test -x /opt/zhuji-archive/zhuji-archive || fail "/opt/zhuji-archive/zhuji-archive 不存在"
[ "$(command -v zhuji-archive)" = /usr/bin/zhuji-archive ] || fail "zhuji-archive 不在 PATH 上"
[ "$(zhuji-archive --version)" = "zhuji-archive $VERSION" ] || fail "已安装程序的版本不对"
grep -q '^Name\[zh_CN\]=群众档案$' /usr/share/applications/zhuji-archive.desktop || fail "菜单项没有中文名称"
test -f /usr/share/icons/hicolor/256x256/apps/zhuji-archive.png || fail "缺少图标"
if command -v desktop-file-validate >/dev/null; then desktop-file-validate /usr/share/applications/zhuji-archive.desktop; fi
# Every shared library of the installed bundle finds what it links against (the bundle's own folder
# first, as the program's loader arranges, then the system libraries the package depends on).
missing=$(find /opt/zhuji-archive -name '*.so*' -type f -print0 \
  | LD_LIBRARY_PATH=/opt/zhuji-archive/_internal xargs -0 -n 20 ldd 2>/dev/null | grep 'not found' | sort -u || true)
[ -z "$missing" ] || fail "已安装的程序缺少系统库：$missing"

export HOME=$WORK/home XDG_DATA_HOME= XDG_CONFIG_HOME=
unset XDG_DATA_HOME XDG_CONFIG_HOME
mkdir -p "$HOME"
DATA=$HOME/.local/share/zhuji-archive
export QT_QPA_PLATFORM=offscreen

step "在全新的数据文件夹上启动已安装的程序"
# It shows the window on a throwaway encrypted archive with a throwaway administrator (SQLCipher,
# Argon2id and AES-GCM all run in the bundle) and leaves the user's data folder alone.
zhuji-archive --smoke-test
test ! -e "$DATA/archive.sqlite3" || fail "启动检查不应在 $DATA 建立档案库"

step "在发布版本写入的演示档案库副本上加密、打印户表、导出花名册"
DEMO=$DATA/演示档案.sqlite3
mkdir -p "$DATA"
cp "$FIXTURE.db" "$DEMO"
HID=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['samples']['household']['rows'][0]['id'])" "$FIXTURE.json")
HEAD=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['samples']['household']['rows'][0]['head_name'])" "$FIXTURE.json")
OUT=$WORK/out
mkdir -p "$OUT"
# The released file has no accounts: setup makes its administrator and encrypts it (SQLCipher, the key
# wrapped with Argon2id and AES-GCM in the .keys file beside it), as the first start of the window would.
# The administrator does no casework (the services refuse it printing and exporting), so it adds a 党政办
# account through the installed command line, and that account prints and exports.
ADMIN_PASSWORD=Check-2026
CASE_PASSWORD=Casework-2026
echo "$ADMIN_PASSWORD" | zhuji-archive setup --db "$DEMO" --user admin --name 管理员 --password-stdin
test -f "$DEMO.keys" || fail "setup 没有在档案旁写出密钥文件"
if head -c 16 "$DEMO" | grep -q 'SQLite format 3'; then fail "setup 之后档案仍未加密"; fi
zhuji-archive --smoke-test --db "$DEMO" | grep -q '已加密，可登录' || fail "启动检查没有认出加密的档案库"
test "$(echo "$ADMIN_PASSWORD" | zhuji-archive users --db "$DEMO" --user admin --password-stdin | cut -f1)" = admin \
  || fail "users 没有列出刚建立的系统管理员"
refused=0
echo "$ADMIN_PASSWORD" | zhuji-archive export roster --db "$DEMO" --user admin --password-stdin -o "$OUT/不应导出.xlsx" \
  2>"$WORK/refused.txt" || refused=$?
[ "$refused" = 2 ] && grep -q '^错误：' "$WORK/refused.txt" && test ! -e "$OUT/不应导出.xlsx" \
  || fail "系统管理员导出花名册应被拒绝（退出码 2），实际退出码 $refused"
printf '%s\n%s\n' "$ADMIN_PASSWORD" "$CASE_PASSWORD" \
  | zhuji-archive users add --db "$DEMO" --user admin --password-stdin --login banshi --name 包检查 --role 党政办
echo "$ADMIN_PASSWORD" | zhuji-archive users --db "$DEMO" --user admin --password-stdin | grep -q "^banshi	党政办" \
  || fail "users add 没有建立党政办账号"
echo "$CASE_PASSWORD" | zhuji-archive print household --id "$HID" --db "$DEMO" --user banshi --password-stdin -o "$OUT/户表.pdf"
echo "$CASE_PASSWORD" | zhuji-archive export roster --db "$DEMO" --user banshi --password-stdin -o "$OUT/户花名册.xlsx"
# A workbook with an opening password (msoffcrypto-tool in the bundle): standard input holds the login
# password, then the export's opening password.
EXPORT_PASSWORD=Open-2026
printf '%s\n%s\n' "$CASE_PASSWORD" "$EXPORT_PASSWORD" \
  | zhuji-archive export roster --db "$DEMO" --user banshi --password-stdin --export-password-stdin \
    -o "$OUT/加密花名册.xlsx" >"$WORK/protected.txt" 2>&1 \
  || { cat "$WORK/protected.txt"; fail "导出带密码的花名册失败"; }
$PY - "$OUT" "$HEAD" "$FIXTURE.json" "$EXPORT_PASSWORD" <<'PYCHECK'
import io, json, sys
from pathlib import Path
import msoffcrypto
import openpyxl
from pypdf import PdfReader
out, head, fixture = Path(sys.argv[1]), sys.argv[2], json.loads(Path(sys.argv[3]).read_text(encoding="utf-8"))
pdf = PdfReader(out / "户表.pdf")
text = "".join(page.extract_text() for page in pdf.pages)
assert len(pdf.pages) >= 1 and head in text, "户表中没有户主姓名"
sheet = openpyxl.load_workbook(out / "户花名册.xlsx", read_only=True).active
cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
heads = [r["head_name"] for r in fixture["samples"]["household"]["rows"] if r["status"] == "在册"]
assert heads and all(h in cells for h in heads), "花名册中缺少户主"
rows = sum(1 for _ in sheet.iter_rows())
with open(out / "加密花名册.xlsx", "rb") as file:
    office = msoffcrypto.OfficeFile(file)
    assert office.is_encrypted(), "带密码的花名册没有加密"
    office.load_key(password=sys.argv[4])
    plain = io.BytesIO()
    office.decrypt(plain)
protected = openpyxl.load_workbook(plain, read_only=True).active
assert sum(1 for _ in protected.iter_rows()) == rows, "带密码的花名册与不带密码的行数不同"
print(f"户表 {len(pdf.pages)} 页，含户主 {head}；花名册 {rows} 行，抽查 {len(heads)} 户均在；带密码的花名册用密码打开，行数相同")
PYCHECK

if command -v Xvfb >/dev/null; then
  step "在 Xvfb 上用 xcb 平台启动（系统图形库齐全的证明）"
  Xvfb :97 -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
  XVFB=$!
  sleep 1
  DISPLAY=:97 QT_QPA_PLATFORM=xcb zhuji-archive --smoke-test --db "$DEMO" || { kill "$XVFB"; fail "xcb 平台无法启动"; }
  kill "$XVFB"; wait "$XVFB" 2>/dev/null || true
fi

if unshare --mount true 2>/dev/null; then
  step "隐藏本机所有 Python 后启动（程序自带运行环境的证明）"
  # Every Python this machine has (pyenv, /usr/local, Debian's): hide each one's installation folder
  # (or, for a Python in /usr, its standard library) behind an empty tmpfs in a private mount namespace.
  HIDE=$(for p in $(type -ap python3 python python3.11 python3.12 | sort -u); do
      "$p" -c 'import sys; print(sys.base_prefix)' 2>/dev/null; done | sort -u \
    | while read -r prefix; do
        if [ "$prefix" = /usr ]; then ls -d /usr/lib/python3*; else echo "$prefix"; fi
      done | sort -u | tr '\n' ' ')
  echo "隐藏：$HIDE"
  unshare --mount sh -c '
    for d in $1; do mount -t tmpfs none "$d"; done
    for p in python3 python; do
      if command -v $p >/dev/null && $p -c "import encodings" 2>/dev/null; then echo "$p 仍可运行" >&2; exit 1; fi
    done
    zhuji-archive --smoke-test --db "$0"' "$DEMO" "$HIDE" || fail "没有 Python 时程序无法启动"
fi

step "启动时间：已安装的程序与 python -m zhuji_archive（各 3 次，到窗口显示后退出）"
# Wall time from the command to the process's exit (window shown, then quit), and in brackets the time
# the program itself measured from its process start to the window on screen.
timed() {
  local t0 out; t0=$(date +%s%N); out=$("$@") || return 1
  echo "$(( ($(date +%s%N) - t0) / 1000000 ))[$(echo "$out" | grep -o '进程启动后 [0-9]*' | grep -o '[0-9]*$')]"
}
for label in 已安装的程序 python-m; do
  times=()
  for _ in 1 2 3; do
    if [ $label = python-m ]; then ms=$(timed "$PY" -m zhuji_archive --smoke-test --db "$DEMO") || fail "python -m 启动失败"
    else ms=$(timed zhuji-archive --smoke-test --db "$DEMO") || fail "已安装的程序启动失败"; fi
    times+=("$ms")
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
  echo "$label：中位数 ${median} 毫秒（3 次：${times[*]}；方括号内为程序自测的从进程启动到窗口显示）"
done

step "同一 .deb 覆盖安装（升级），再卸载；数据文件夹不得有任何改动"
checksum() { (cd "$HOME" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
checksum > "$WORK/before.sha256"
apt-get install -y -qq --reinstall "$DEB" >/dev/null
[ "$(zhuji-archive --version)" = "zhuji-archive $VERSION" ] || fail "覆盖安装后版本不对"
apt-get remove -y -qq zhuji-archive >/dev/null
# Nothing should be left to purge (the package has no conffiles); purge anyway if dpkg still knows it.
if [ "$(dpkg-query -W -f='${db:Status-Status}' zhuji-archive 2>/dev/null || true)" = config-files ]; then
  dpkg --purge zhuji-archive
fi
test ! -e /opt/zhuji-archive || fail "卸载后 /opt/zhuji-archive 仍在"
test ! -e /usr/bin/zhuji-archive || fail "卸载后 /usr/bin/zhuji-archive 仍在"
test ! -e /usr/share/applications/zhuji-archive.desktop || fail "卸载后菜单项仍在"
checksum > "$WORK/after.sha256"
diff "$WORK/before.sha256" "$WORK/after.sha256" || fail "数据文件夹在覆盖安装或卸载后有改动"
echo "数据文件夹未改动（$(wc -l < "$WORK/after.sha256") 个文件，校验和一致）"

step "包检查通过"
