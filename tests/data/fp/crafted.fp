; Signature database for the crafted case c37_custom_db (written for P0fSharp's tests).
; Exercises %N windows, wildcards, olen, pclass, quirk lists, generic-after-specific,
; a bad-TTL application signature, an IPv4 signature seen over IPv6 and custom MTUs.

classes = win,unix,other

[mtu]

label = Plain Ethernet
sig   = 1500

label = Test tunnel
sig   = 1274
sig   = 1234

label = Jumbo
sig   = 9000

[tcp:request]

label = s:unix:Alpha:exact
sig   = 4:64:0:1460:mss*20,7:mss,sok,ts,nop,ws:df,id+:0

label = g:unix:Alpha:any window
sig   = *:64:0:*:*,*:mss,sok,ts,nop,ws:df,id+:0

label = s:win:Beta:modulo
sig   = *:128:0:*:%8192,*:mss,nop,ws,nop,nop,sok:df,id+:0

label = s:!:Scanner:random ttl
sys   = @unix,@win
sig   = *:255-:0:1400:1024,0:mss::0

label = s:other:Gamma:ip options
sig   = 4:64:4:*:*,*:mss,sok,ts,nop,ws:df,id+:0

label = s:other:Delta:payload
sig   = 4:64:0:1234:100,0:mss,nop,nop,sok:df,id+:+

label = s:other:Epsilon:quirks
sig   = 4:64:0:1234:100,0:mss,nop,nop,sok:df,id+,ecn,seq-,pushf+:0

label = s:other:Zeta:v4 sig
sig   = 4:64:0:1194:100,0:mss,nop,nop,sok::0

[tcp:response]

label = s:unix:Alpha:response
sig   = *:64:0:*:mss*10,7:mss,sok,ts,nop,ws:df:0

label = g:other:Omega:tiny
sig   = *:64:0:1194:*,0:mss::0
