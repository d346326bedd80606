; 群众档案 Windows 安装程序（NSIS 3，Unicode）。由 installer/build.py 调用 makensis 编译：
;   makensis -INPUTCHARSET UTF8 -DVERSION=0.1.0 -DVI_VERSION=0.1.0.0 -DLISTS=build\nsis
;            -DOUTFILE=dist\zhuji-archive-0.1.0-setup.exe -DICON=resources\icons\zhuji-archive.ico
;            installer\zhuji-archive.nsi
; LISTS is the folder holding files.nsh / uninstall.nsh / size.nsh that build.py writes from the bundle.
;
; Per user, no administrator rights: %LOCALAPPDATA%\Programs\zhuji-archive. The archives live elsewhere
; (%LOCALAPPDATA%\zhuji-archive, the user's data folder) and this script never names that folder: the
; uninstaller deletes only the files listed in uninstall.nsh and then removes folders with RMDir
; without /r, which leaves any folder that still holds something.

Unicode true
ManifestDPIAware true

!include "MUI2.nsh"
!include "LogicLib.nsh"

!macro REQUIRE NAME
  !ifndef ${NAME}
    !error "缺少 -D${NAME}：请用 installer/build.py 编译，或按 installer/README.md 手工给出全部定义"
  !endif
!macroend
!insertmacro REQUIRE VERSION
!insertmacro REQUIRE VI_VERSION
!insertmacro REQUIRE LISTS
!insertmacro REQUIRE OUTFILE
!insertmacro REQUIRE ICON

!define APP_NAME "群众档案"
!define APP_EXE "zhuji-archive.exe"
!define PUBLISHER "群众档案开发组"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\zhuji-archive"
!define MUTEX "zhuji-archive-running" ; held by the running program (zhuji_archive/instance.py)
!include "${LISTS}\size.nsh"

Name "${APP_NAME} ${VERSION}"
OutFile "${OUTFILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\zhuji-archive"
InstallDirRegKey HKCU "${UNINST_KEY}" "InstallLocation"
BrandingText "${APP_NAME} ${VERSION}"
!ifdef FAST
  SetCompress off ; CI only checks that the script compiles against the bundle's file list
!else
  SetCompressor /SOLID lzma
!endif

VIProductVersion "${VI_VERSION}"
VIAddVersionKey /LANG=2052 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=2052 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "FileDescription" "${APP_NAME} 安装程序"
VIAddVersionKey /LANG=2052 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=2052 "LegalCopyright" "Apache-2.0"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_WELCOMEPAGE_TEXT "本向导将在您的电脑上安装 ${APP_NAME} ${VERSION}。$\r$\n$\r$\n只为当前用户安装，不需要管理员权限。已安装旧版本时将原位升级，档案数据不受影响。$\r$\n$\r$\n点击“下一步”继续。"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "运行 ${APP_NAME}"
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"

; Installing or removing files under a running program fails half-way on Windows (the files are locked),
; so both refuse until the program is closed.
!macro REFUSE_WHILE_RUNNING UN
  Function ${UN}RefuseWhileRunning
    check:
    System::Call 'kernel32::OpenMutexW(i 0x00100000, i 0, w "${MUTEX}") p .r0'
    ${If} $0 <> 0
      System::Call 'kernel32::CloseHandle(p r0)'
      IfSilent +2
      MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "${APP_NAME} 正在运行。$\r$\n请先退出程序（档案 → 退出），再点“重试”。" IDRETRY check
      Abort
    ${EndIf}
  FunctionEnd
!macroend
!insertmacro REFUSE_WHILE_RUNNING ""
!insertmacro REFUSE_WHILE_RUNNING "un."

Function .onInit
  SetShellVarContext current
  Call RefuseWhileRunning
FunctionEnd

Function un.onInit
  SetShellVarContext current
  Call un.RefuseWhileRunning
FunctionEnd

Section "安装"
  ; Upgrade in place: the installed version's own uninstaller removes exactly the files it installed
  ; (run from where it is, _?=, and waited for), then the new files go into the same folder.
  ReadRegStr $1 HKCU "${UNINST_KEY}" "InstallLocation"
  ${If} $1 != ""
  ${AndIf} ${FileExists} "$1\uninstall.exe"
    DetailPrint "正在移除旧版本的程序文件 …"
    ExecWait '"$1\uninstall.exe" /S _?=$1' $2
    ${If} $2 <> 0
      MessageBox MB_ICONSTOP "旧版本的程序文件未能移除（代码 $2）。请先退出 ${APP_NAME} 再重新安装。"
      Abort
    ${EndIf}
    Delete "$1\uninstall.exe"
    RMDir "$1"
  ${EndIf}

  SetOutPath "$INSTDIR"
  !include "${LISTS}\files.nsh"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0
  CreateShortcut "$DESKTOP\${APP_NAME}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0

  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${APP_EXE}"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" ${BUNDLE_SIZE_KB}
SectionEnd

Section "Uninstall"
  ; Only what files.nsh installed, file by file; folders only once empty; nothing recursive.
  !include "${LISTS}\uninstall.nsh"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  Delete "$DESKTOP\${APP_NAME}.lnk"
  DeleteRegKey HKCU "${UNINST_KEY}"
SectionEnd
