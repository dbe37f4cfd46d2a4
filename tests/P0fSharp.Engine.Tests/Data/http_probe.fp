classes = win,unix,other

[tcp:request]
label = s:unix:Linux:3.11 and newer
sig   = *:64:0:*:mss*20,7:mss,sok,ts,nop,ws:df,id+:0
label = s:win:Windows:7 or 8
sig   = *:128:0:*:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0

[tcp:response]
label = s:unix:Linux:3.x
sig   = *:64:0:*:mss*10,*:mss,sok,ts,nop,ws:df:0

[http:request]
ua_os = Linux,Windows,HttpOS=[HOSTY]
label = s:unix:HttpOS:one
sig   = 1:User-Agent,Host,X-Os=[one]::
label = s:unix:HttpOS:two
sig   = 1:User-Agent,Host,X-Os=[two]::
label = s:win:Windows:http
sig   = 1:User-Agent,Host,X-Os=[win]::
label = g:unix:Linux:generic-http
sig   = 1:User-Agent,Host,X-Os=[gen]::
label = s:!:curl:
sys   = @unix
sig   = *:User-Agent,Host,Accept=[*/*]:Connection,Accept-Encoding,Accept-Language,Accept-Charset,Keep-Alive:curl/
label = s:!:Tool2:
sys   = Windows
sig   = *:User-Agent,Host,X-Tool=[2]::Tool2
label = g:!:GenTool:
sys   = Linux
sig   = *:Host,X-Gen::

[http:response]
label = s:!:nginx:1.x
sys   = @unix
sig   = 1:Server,Date,Content-Type::nginx/
label = s:!:nginx:other
sys   = @unix
sig   = 1:Server,X-Nginx-Other::nginx/
label = s:!:Apache:2.x
sys   = @unix
sig   = 1:Server,X-Apache::Apache
label = s:unix:SrvOS:resp
sig   = 1:Server,X-SrvOs=[a]::
label = s:unix:SrvOS:resp2
sig   = 1:Server,X-SrvOs=[b]::
label = s:win:Windows:resp
sig   = 1:Server,X-SrvOs=[w]::
