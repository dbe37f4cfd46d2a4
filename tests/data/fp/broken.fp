; Deliberately broken database for the error-path test: a TCP signature with too few fields.
classes = win,unix

[tcp:request]

label = s:unix:Broken:sig
sig   = 4:64:0:1460:mss*20,7:mss,sok
