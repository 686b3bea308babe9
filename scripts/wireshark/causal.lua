-- SPDX-License-Identifier: GPL-2.0
--
-- causal.lua - a Wireshark/tshark dissector for the stamps causal puts on
-- the wire (include/uapi/linux/causal_wire.h, Documentation/wire.rst):
--
--   TCP  the shared experimental option, kind 253 with ExID 0xCA5A, through
--        TCP's "tcp.option" dissector table; kind 253 options of other
--        experiments go on to Wireshark's own dissector.
--   UDP  UDP options (RFC 9868) in the surplus area, the bytes between the
--        end of the UDP data (the UDP length) and the end of the IP payload,
--        which Wireshark 4.0 does not show: a postdissector finds each UDP
--        header of a frame and the IP header before it, and walks the area
--        as causal_udp_parse() does, other options included.
--
-- Every stamp gets a verdict, what a causal receiver makes of it, and the
-- info column a summary ("[causal stamp 42 from node 00000000000000aa
-- event 7]"); the protocol column says CAUSAL where it said TCP or UDP.
--
-- Install it in Wireshark's global Lua plugin folder (Debian:
-- /usr/lib/x86_64-linux-gnu/wireshark/plugins) or the personal one
-- (~/.local/lib/wireshark/plugins), or load it for one run:
--
--   tshark -X lua_script:causal.lua -r FILE -Y causal -T fields \
--          -e causal.clock -e causal.event -e causal.node
--
-- (not both: a second copy fails to load, as its protocol exists already).
-- selftests/wireshark.sh checks it against what causal sends.
--
-- Fields, for display filters and tshark -e:
--
--   causal                     the protocol: a TCP option or a UDP surplus area
--   causal.verdict             what a causal receiver makes of it: "stamp"
--                              (counted in stamps-in), "malformed"
--                              (malformed-in), "foreign" (UDP options, none
--                              causal's: foreign-in), "none" (UDP: only
--                              NOP and EOL)
--   causal.exid                the experiment identifier, 0xca5a
--   causal.flags               the payload's flags byte, and its bits:
--   causal.flags.version         format version (bits 7-6): 0, and 1 for
--                                TCP's compact vectors
--   causal.flags.reserved        bits 5-3 of scalar and version-0
--                                forms, zero when sent (expert info
--                                causal.reserved says when one is set)
--   causal.flags.ask             A, compact vectors: the sender met an
--                                index its peer never named to it, and
--                                asks to be told all again
--   causal.flags.base            B, compact vectors: a base count comes
--                                first, and entries' counts are offsets
--                                from it
--   causal.flags.whole           W, compact vectors: the entries are the
--                                sender's whole clock
--   causal.flags.incomplete      C: vector entries were left out
--   causal.flags.vector          X: the body is a vector
--   causal.flags.inexact         I: a scalar is an upper bound, a vector a
--                                lower bound
--   causal.form                "clock" (TCP: the sender's clock, its low 56
--                              bits), "full", "keyed", "short" (scalar: stamp,
--                              event number, node id; no node id; stamp only)
--                              or "vector"
--   causal.clock               the stamp (Lamport or HLC value): the clock
--                              form's low 56 bits, or the send's clock; for a
--                              vector the sender's own count, its first entry
--                              (as in event logs)
--   causal.event               low 32 bits of the send's event number
--   causal.node                the sending node's id
--   causal.hlc.time            the stamp read as an HLC: its wall time, and
--   causal.hlc.counter         its logical counter; only for stamps whose
--                              upper half is a Unix time from 2000 to 2100
--                              (the clock form's top 8 bits taken from the
--                              capture's time, when that makes a time within
--                              a day of it)
--   causal.participant         a vector's sender, its first entry's id
--   causal.entries             number of vector entries
--   causal.entry               one vector entry:
--   causal.entry.participant     its 56-bit participant id (of a compact
--                                entry that gives only its index: the id
--                                an earlier entry of the connection gave
--                                that index, when the capture has it)
--   causal.entry.index           a compact entry's index of the participant
--                                on its connection (0: none)
--   causal.entry.count           that participant's event count
--   causal.body                the body of a payload no receiver takes
--   causal.tcpopt.kind         TCP option kind (253)
--   causal.tcpopt.length       TCP option length
--   causal.tcpopt.data         data of a kind 253 option shown here that is
--                              not causal's
--   causal.udpopt.surplus      length of the UDP surplus area
--   causal.udpopt.pad          the alignment byte, when the area starts at an
--                              odd offset
--   causal.udpopt.ocs          the option checksum (OCS)
--   causal.udpopt.ocs.status   1 good, 0 bad (or zero)
--   causal.udpopt.option       one UDP option, causal's or another:
--   causal.udpopt.kind           its kind (named as in RFC 9868)
--   causal.udpopt.length         its length
--   causal.udpopt.data           its data, when not causal's
--
-- Expert information, filterable as well:
--
--   causal.malformed           a length, form or option walk a receiver rejects
--   causal.version.unknown     a format version other than 0 (and 1 for
--                              a TCP vector)
--   causal.duplicate           two causal options in one header or area
--   causal.ocs.bad             a bad (or zero) UDP option checksum
--   causal.reserved            reserved flag bits set
--   causal.inexact             flag I
--   causal.incomplete          flag C on a vector
--   causal.foreign             UDP options, none of them causal's
--   causal.truncated           a UDP surplus area cut short by the capture

local EXID = 0xCA5A
local TCP_KIND = 253
local VERSION = 0
local VEC_VERSION = 1	-- TCP's compact vectors
local F_INEXACT, F_VECTOR, F_INCOMPLETE, F_BASE = 0x01, 0x02, 0x04, 0x08
local PAY_SCALAR = { [21] = "full", [13] = "keyed", [9] = "short" }
local PAY_CLOCK = 8	-- TCP: the sender's clock, its low 56 bits
local PAY_VEC_ENTRY = 11
local PAY_MAX = 40 - 4				-- TCP: the option space
local UDP_PAY_MAX = 1 + 22 * PAY_VEC_ENTRY	-- UDP: 22 entries
local UDP_EOL, UDP_NOP, UDP_EXP, UDP_EXTENDED = 0, 1, 127, 255
-- causal's receivers read at most this much of a surplus area
local UDP_AREA_MAX = 1 + 2 + 4 + UDP_PAY_MAX + 64
-- HLC stamps: 32 bits of seconds, 16 of fraction, 16 of counter
local HLC_SANE_FROM, HLC_SANE_TO = 946684800, 4102444800	-- 2000 to 2100

local causal = Proto("causal", "causal logical clock stamp")

local udp_kinds = {
	[0] = "EOL", [1] = "NOP", [2] = "APC", [3] = "FRAG", [4] = "MDS",
	[5] = "MRDS", [6] = "REQ", [7] = "RES", [8] = "TIME", [9] = "AUTH",
	[127] = "EXP", [192] = "UCMP", [193] = "UENC", [254] = "UEXP",
}
local ocs_status = { [0] = "Bad", [1] = "Good" }

local hf = {
	verdict = ProtoField.string("causal.verdict", "Verdict"),
	exid = ProtoField.uint16("causal.exid", "Experiment identifier", base.HEX),
	flags = ProtoField.uint8("causal.flags", "Flags", base.HEX),
	f_version = ProtoField.uint8("causal.flags.version", "Format version", base.DEC, nil, 0xc0),
	f_reserved = ProtoField.uint8("causal.flags.reserved", "Reserved", base.HEX, nil, 0x20),
	f_ask = ProtoField.bool("causal.flags.ask", "Ask to be told all again (compact vectors)", 8, nil, 0x20),
	f_whole = ProtoField.bool("causal.flags.whole", "Whole clock (compact vectors)", 8, nil, 0x10),
	f_base = ProtoField.bool("causal.flags.base", "Base count (compact vectors)", 8, nil, 0x08),
	f_incomplete = ProtoField.bool("causal.flags.incomplete", "Incomplete (entries left out)", 8, nil, F_INCOMPLETE),
	f_vector = ProtoField.bool("causal.flags.vector", "Vector", 8, nil, F_VECTOR),
	f_inexact = ProtoField.bool("causal.flags.inexact", "Inexact", 8, nil, F_INEXACT),
	form = ProtoField.string("causal.form", "Form"),
	clock = ProtoField.uint64("causal.clock", "Clock", base.DEC),
	event = ProtoField.uint32("causal.event", "Event number (low 32 bits)", base.DEC),
	node = ProtoField.uint64("causal.node", "Node", base.HEX),
	hlc_time = ProtoField.absolute_time("causal.hlc.time", "As HLC: wall time", base.UTC),
	hlc_counter = ProtoField.uint16("causal.hlc.counter", "As HLC: counter", base.DEC),
	participant = ProtoField.uint64("causal.participant", "Participant", base.HEX),
	entries = ProtoField.uint8("causal.entries", "Entries", base.DEC),
	entry = ProtoField.bytes("causal.entry", "Entry"),
	e_participant = ProtoField.uint64("causal.entry.participant", "Participant", base.HEX),
	e_index = ProtoField.uint8("causal.entry.index", "Index", base.DEC),
	e_count = ProtoField.uint32("causal.entry.count", "Count", base.DEC),
	body = ProtoField.bytes("causal.body", "Body"),
	t_kind = ProtoField.uint8("causal.tcpopt.kind", "Kind", base.DEC),
	t_length = ProtoField.uint8("causal.tcpopt.length", "Length", base.DEC),
	t_data = ProtoField.bytes("causal.tcpopt.data", "Data"),
	u_surplus = ProtoField.uint16("causal.udpopt.surplus", "Surplus area length", base.DEC),
	u_pad = ProtoField.uint8("causal.udpopt.pad", "Alignment byte", base.HEX),
	u_ocs = ProtoField.uint16("causal.udpopt.ocs", "Option checksum (OCS)", base.HEX),
	u_ocs_status = ProtoField.uint8("causal.udpopt.ocs.status", "OCS status", base.DEC, ocs_status),
	u_option = ProtoField.bytes("causal.udpopt.option", "UDP option"),
	u_kind = ProtoField.uint8("causal.udpopt.kind", "Kind", base.DEC, udp_kinds),
	u_length = ProtoField.uint16("causal.udpopt.length", "Length", base.DEC),
	u_data = ProtoField.bytes("causal.udpopt.data", "Data"),
}
causal.fields = {
	hf.verdict, hf.exid, hf.flags, hf.f_version, hf.f_reserved, hf.f_ask, hf.f_whole, hf.f_base, hf.f_incomplete,
	hf.f_vector, hf.f_inexact, hf.form, hf.clock, hf.event, hf.node, hf.hlc_time,
	hf.hlc_counter, hf.participant, hf.entries, hf.entry, hf.e_participant,
	hf.e_index, hf.e_count, hf.body, hf.t_kind, hf.t_length, hf.t_data, hf.u_surplus, hf.u_pad, hf.u_ocs,
	hf.u_ocs_status, hf.u_option, hf.u_kind, hf.u_length, hf.u_data,
}

local ei = {
	malformed = ProtoExpert.new("causal.malformed", "Malformed causal stamp",
		expert.group.MALFORMED, expert.severity.ERROR),
	version = ProtoExpert.new("causal.version.unknown", "Unknown causal format version",
		expert.group.PROTOCOL, expert.severity.WARN),
	duplicate = ProtoExpert.new("causal.duplicate", "More than one causal option",
		expert.group.MALFORMED, expert.severity.ERROR),
	ocs_bad = ProtoExpert.new("causal.ocs.bad", "Bad UDP option checksum",
		expert.group.CHECKSUM, expert.severity.ERROR),
	reserved = ProtoExpert.new("causal.reserved", "Reserved flag bits set",
		expert.group.PROTOCOL, expert.severity.NOTE),
	inexact = ProtoExpert.new("causal.inexact", "Inexact stamp",
		expert.group.SEQUENCE, expert.severity.NOTE),
	incomplete = ProtoExpert.new("causal.incomplete", "Vector entries left out",
		expert.group.SEQUENCE, expert.severity.NOTE),
	foreign = ProtoExpert.new("causal.foreign", "UDP options, none of them causal's",
		expert.group.PROTOCOL, expert.severity.CHAT),
	truncated = ProtoExpert.new("causal.truncated", "UDP surplus area not in the capture",
		expert.group.UNDECODED, expert.severity.NOTE),
}
causal.experts = {
	ei.malformed, ei.version, ei.duplicate, ei.ocs_bad, ei.reserved, ei.inexact,
	ei.incomplete, ei.foreign, ei.truncated,
}

local f_tcp_hdr_len = Field.new("tcp.hdr_len")
local f_tcp_stream = Field.new("tcp.stream")
local f_udp_srcport = Field.new("udp.srcport")
local f_udp_length = Field.new("udp.length")
local f_ip_len = Field.new("ip.len")
local f_ipv6_plen = Field.new("ipv6.plen")

--[[
The entries of a compact vector payload (version 1) at @pay, @plen bytes,
read as causal_pay_vent_next() does: a list of { off, len, named, index,
id, count }, or nil and why a receiver refuses them.
]]
local function varint(pay, plen, o)
	local v, scale, i = 0, 1, 0
	while true do
		if o >= plen or i == 5 then
			return nil
		end
		local b = pay(o, 1):uint()
		o = o + 1
		if i == 4 and b > 15 then
			return nil
		end
		v = v + (b % 128) * scale
		scale = scale * 128
		i = i + 1
		if b < 128 then
			return v, o
		end
	end
end

local function compact_entries(pay, plen)
	local out, o, base = {}, 1, 0
	if plen > 1 and math.floor(pay(0, 1):uint() / F_BASE) % 2 == 1 then
		base, o = varint(pay, plen, 1)
		if not base then
			return nil, "the base count cut short"
		end
	end
	out.base, out.base_len = base, o - 1
	while o < plen do
		local start = o
		local head = pay(o, 1):uint()
		local named, yours, index, id = head >= 128, head % 128 >= 64, head % 64, nil
		o = o + 1
		if named and yours then
			return nil, "a compact entry that names its id with the receiver's index"
		end
		if named then
			if o + 7 > plen then
				return nil, "a compact entry's id cut short"
			end
			id = UInt64(pay(o + 3, 4):uint(), pay(o, 3):uint())
			if id == UInt64(0) then
				return nil, "a compact entry of participant 0"
			end
			o = o + 7
		elseif index == 0 then
			return nil, "a compact entry of neither id nor index"
		end
		local count
		count, o = varint(pay, plen, o)
		if not count then
			return nil, "a compact entry's count cut short or over 32 bits"
		end
		count = count + base
		if count > 4294967295 then
			return nil, "a compact entry's count over 32 bits"
		end
		out[#out + 1] = { off = start, len = o - start, named = named, yours = yours,
				  index = index, id = id, count = count }
	end
	return out
end

-- The entries of a version 0 vector payload, as compact_entries() gives them.
local function whole_entries(pay, plen)
	local out = {}
	for i = 0, math.floor((plen - 1) / PAY_VEC_ENTRY) - 1 do
		local e = pay(1 + i * PAY_VEC_ENTRY, PAY_VEC_ENTRY)
		out[#out + 1] = { off = 1 + i * PAY_VEC_ENTRY, len = PAY_VEC_ENTRY, named = true,
				  yours = false, index = 0, id = UInt64(e(3, 4):uint(), e(0, 3):uint()),
				  count = e(7, 4):uint() }
	end
	return out
end

-- The payload: is it one a receiver takes (causal_pay_valid())? If not, why.
local function pay_check(pay, flags, plen, max)
	if plen == 0 then
		return false, "no flags byte"
	end
	if plen > max then
		return false, string.format("payload of %d bytes, more than %d", plen, max)
	end
	local version = math.floor(flags / 64)
	if version == VEC_VERSION and flags % 4 >= F_VECTOR and max == PAY_MAX then
		local entries, why = compact_entries(pay, plen)
		if not entries then
			return false, why
		end
		return true
	end
	if version ~= VERSION then
		return false, "version"
	end
	if flags % 4 >= F_VECTOR then
		if (plen - 1) % PAY_VEC_ENTRY ~= 0 then
			return false, string.format("vector payload of %d bytes, not 1 + 11 n", plen)
		end
	elseif not PAY_SCALAR[plen] and not (plen == PAY_CLOCK and max == PAY_MAX) then
		return false, string.format("scalar payload of %d bytes, not %s9, 13 or 21", plen,
			max == PAY_MAX and "8, " or "")
	end
	return true
end

-- Participants by index, per TCP connection and direction: a compact entry
-- names its participant once a connection, each way (an index, once
-- given, is never given to another).  names_of() gives the table of the
-- packet's direction and, as its "yours", the other direction's: the
-- indexes the receiver gave.
local vec_names = {}

local function names_of(pinfo)
	local stream = f_tcp_stream()
	local s = stream and tostring(stream.value) or ""
	local src = string.format("%s:%s", tostring(pinfo.src), pinfo.src_port)
	local dst = string.format("%s:%s", tostring(pinfo.dst), pinfo.dst_port)
	local fwd, rev = s .. "/" .. src .. ">" .. dst, s .. "/" .. dst .. ">" .. src
	vec_names[fwd] = vec_names[fwd] or {}
	vec_names[rev] = vec_names[rev] or {}
	vec_names[fwd].yours = vec_names[rev]
	return vec_names[fwd]
end

-- The wall time of a stamp read as an HLC, when its upper half is a
-- plausible Unix time (Lamport clocks stay far below such values).
local function hlc_time(stamp)
	local sec, low = stamp:higher(), stamp:lower()
	if sec < HLC_SANE_FROM or sec >= HLC_SANE_TO then
		return nil
	end
	return NSTime.new(sec, math.floor((low - low % 65536) * 1e9 / 4294967296))
end

local function hex(v, digits)
	return string.sub(v:tohex(), -digits)
end

--[[
Decode a payload (flags and body) at @pay, @plen bytes, into @tree, the
option's item; @max is the transport's largest payload.  Returns a summary
for the info column and whether a receiver takes the payload.
]]
local function dissect_payload(pay, plen, tree, max, when, names)
	local item = tree
	local flags = pay(0, 1):uint()
	local ok, why = pay_check(pay, flags, plen, max)
	local ft = tree:add(hf.flags, pay(0, 1))
	local vector = flags % 4 >= F_VECTOR
	local summary

	ft:add(hf.f_version, pay(0, 1))
	local compact = vector and math.floor(flags / 64) == VEC_VERSION
	if compact then
		ft:add(hf.f_ask, pay(0, 1))
		ft:add(hf.f_whole, pay(0, 1))
		ft:add(hf.f_base, pay(0, 1))
	else
		ft:add(hf.f_reserved, pay(0, 1))
	end
	ft:add(hf.f_incomplete, pay(0, 1))
	ft:add(hf.f_vector, pay(0, 1))
	ft:add(hf.f_inexact, pay(0, 1))
	if math.floor(flags / 8) % 8 ~= 0 and not compact then
		ft:add_proto_expert_info(ei.reserved, "Reserved flag bits set: receivers ignore them")
	end

	if why == "version" then
		local v = math.floor(flags / 64)
		ft:add_proto_expert_info(ei.version, string.format(
			"Unknown causal format version %d: receivers ignore the stamp and count it malformed", v))
		if plen > 1 then
			tree:add(hf.body, pay(1, plen - 1))
		end
		return string.format("causal stamp of unknown version %d", v), false
	end
	if not ok then
		item:add_proto_expert_info(ei.malformed, "Malformed causal stamp: " .. why)
		if plen > 1 then
			tree:add(hf.body, pay(1, plen - 1))
		end
		return "causal malformed (" .. why .. ")", false
	end

	if vector then
		local entries = compact and compact_entries(pay, plen) or whole_entries(pay, plen)
		local n = #entries
		tree:add(hf.form, pay(0, 1), "vector"):set_generated()
		tree:add(hf.entries, pay(0, 1), n):set_generated()
		if compact and entries.base_len > 0 then
			tree:add(pay(1, entries.base_len), "Base count: " .. entries.base)
		end
		local parts = {}
		for i, e in ipairs(entries) do
			local id = e.id
			if compact and names then
				if e.named and e.index > 0 then
					names[e.index] = names[e.index] or e.id
				elseif e.yours then
					id = names.yours[e.index]
				elseif not e.named then
					id = names[e.index]
				end
			end
			local name = id and hex(id, 14) or ((e.yours and "#r" or "#") .. e.index)
			local et = tree:add(hf.entry, pay(e.off, e.len))
			et:set_text(string.format("Entry %d: %s:%d%s", i - 1, name, e.count,
				i == 1 and " (the sender's)" or ""))
			if compact then
				et:add(hf.e_index, pay(e.off, 1), e.index)
			end
			if e.named then
				et:add(hf.e_participant, pay(e.off + (compact and 1 or 0), 7), id)
			elseif id then
				et:add(hf.e_participant, pay(e.off, 1), id):set_generated()
			else
				et:append_text(" (index not given in this capture)")
			end
			local coff = compact and (e.named and 8 or 1) or 7
			local cnt = pay(e.off + coff, e.len - coff)
			et:add(hf.e_count, cnt, e.count)
			if i == 1 then
				if id then
					tree:add(hf.participant, pay(e.off, e.len), id):set_generated()
				end
				tree:add(hf.clock, cnt, UInt64(e.count)):set_generated()
			end
			parts[#parts + 1] = name .. ":" .. e.count
		end
		if n == 0 then
			summary = "causal vector, no entries"
		else
			summary = "causal vector " .. parts[1]
			if n > 1 then
				summary = summary .. " (+" .. (n - 1) .. ")"
			end
		end
		item:append_text(", vector " .. table.concat(parts, " "))
	elseif plen == PAY_CLOCK then
		-- as an HLC, the top 8 bits restored as a receiver does from a
		-- value near, here the capture's time: shown when that makes a
		-- time within a day of the capture (a Lamport clock never does)
		local low = pay(1, 7):uint64()
		local secs = math.floor(when or 0)
		local span = UInt64(0, 16777216)	-- 2^56
		local ref = UInt64(0, secs)
		local stamp = ref - ref % span + low
		if stamp > ref and stamp - ref > span / 2 and stamp >= span then
			stamp = stamp - span
		elseif stamp < ref and ref - stamp > span / 2 then
			stamp = stamp + span
		end
		tree:add(hf.form, pay(0, 1), "clock"):set_generated()
		local ct = tree:add(hf.clock, pay(1, 7))
		local t = math.abs(stamp:higher() - secs) < 86400 and hlc_time(stamp)
		if t then
			ct:add(hf.hlc_time, pay(1, 5), t):set_generated()
			ct:add(hf.hlc_counter, pay(6, 2)):set_generated()
		end
		summary = "causal clock " .. tostring(low)
		item:append_text(", clock " .. tostring(low))
	else
		local stamp = pay(1, 8):uint64()
		local form = PAY_SCALAR[plen]
		tree:add(hf.form, pay(0, 1), form):set_generated()
		local ct = tree:add(hf.clock, pay(1, 8))
		local t = hlc_time(stamp)
		if t then
			ct:add(hf.hlc_time, pay(1, 6), t):set_generated()
			ct:add(hf.hlc_counter, pay(7, 2)):set_generated()
		end
		summary = "causal stamp " .. tostring(stamp)
		item:append_text(", stamp " .. tostring(stamp))
		if plen >= 13 then
			tree:add(hf.event, pay(9, 4))
		end
		if plen >= 21 then
			local node = pay(13, 8):uint64()
			tree:add(hf.node, pay(13, 8))
			summary = summary .. " from node " .. hex(node, 16)
			item:append_text(" from node " .. hex(node, 16))
		end
		if plen >= 13 then
			local ev = pay(9, 4):uint()
			summary = summary .. " event " .. ev
			item:append_text(" event " .. ev)
		end
		if form ~= "full" then
			item:append_text(" (" .. form .. " form)")
		end
	end
	if flags % 2 == F_INEXACT then
		item:add_proto_expert_info(ei.inexact, vector and
			"Inexact stamp: a lower bound of the send's vector" or
			"Inexact stamp: an upper bound of the send's")
		summary = summary .. " inexact"
	end
	if math.floor(flags / F_INCOMPLETE) % 2 == 1 then
		if vector then
			item:add_proto_expert_info(ei.incomplete)
			summary = summary .. " incomplete"
		end
	end
	return summary, true
end

local function set_columns(pinfo, summary)
	local p = tostring(pinfo.cols.protocol)
	if p == "TCP" or p == "UDP" then
		pinfo.cols.protocol:set("CAUSAL")
	end
	pinfo.cols.info:append(" [" .. summary .. "]")
end

-- TCP ------------------------------------------------------------------

local tcp_options = DissectorTable.get("tcp.option")
local tcp_exp = tcp_options:get_dissector(TCP_KIND)

-- The options of the TCP header holding the option at @off, walked as
-- causal's receivers do (parse_opt() in bpf/causal.bpf.c): how many are
-- causal's, and how many of kind 253 are bad (no room for an ExID, running
-- past the header, a second causal option, a causal one of no valid
-- length).  The header is the one TCP is dissecting, the last in the tree.
local function tcp_walk(off)
	local fis = { f_tcp_hdr_len() }
	local fi = fis[#fis]
	if not fi then
		return 1, 0
	end
	local src, start = fi.source, fi.offset - 12
	local o, stop, ours, bad = start + 20, start + fi.value, 0, 0
	if off < o or off >= stop or stop > src:len() then
		return 1, 0
	end
	while o < stop do
		local kind = src(o, 1):uint()
		if kind == 0 then
			break
		elseif kind == 1 then
			o = o + 1
		else
			local l = o + 1 < stop and src(o + 1, 1):uint() or 0
			if l < 2 or o + l > stop then
				if kind == TCP_KIND then
					bad = bad + 1
				end
				break
			end
			if kind == TCP_KIND then
				if l < 4 then
					bad = bad + 1
				elseif src(o + 2, 2):uint() == EXID then
					ours = ours + 1
					if ours > 1 or l <= 4 or l > 4 + PAY_MAX then
						bad = bad + 1
					end
				end
			end
			o = o + l
		end
	end
	return ours, bad
end

-- Options of kind 253 with another ExID, as Wireshark shows them (its own
-- dissector needs TCP's header for TCP Fast Open's ExID, which Lua cannot
-- pass on: that one, and options too short for an ExID, are shown here).
local function tcp_other(tvb, pinfo, tree)
	local len = tvb:len()
	if tcp_exp and len >= 4 and tvb(2, 2):uint() ~= 0xF989 then
		return tcp_exp:call(tvb, pinfo, tree)
	end
	local t = tree:add(tvb(), "TCP Option - Experimental")
	t:add(hf.t_kind, tvb(0, 1))
	t:add(hf.t_length, tvb(1, 1))
	if len >= 4 then
		local exid = tvb(2, 2):uint()
		t:append_text(string.format(" (ExID 0x%04x%s)", exid,
			exid == 0xF989 and ", TCP Fast Open" or ""))
		if len > 4 then
			t:add(hf.t_data, tvb(4, len - 4))
		end
	else
		t:add_proto_expert_info(ei.malformed, string.format(
			"Kind %d option of %d bytes, no room for an ExID: causal's receivers count it malformed",
			TCP_KIND, len))
	end
	return len
end

function causal.dissector(tvb, pinfo, tree)
	local len = tvb:len()
	if len < 4 or tvb(2, 2):uint() ~= EXID then
		return tcp_other(tvb, pinfo, tree)
	end
	local item = tree:add(causal, tvb(), "TCP Option - causal")
	item:add(hf.t_kind, tvb(0, 1))
	item:add(hf.t_length, tvb(1, 1))
	item:add(hf.exid, tvb(2, 2))

	local summary, ok
	local plen = len - 4
	if plen == 0 then
		item:add_proto_expert_info(ei.malformed, "Malformed causal option: no payload")
		summary, ok = "causal malformed (no payload)", false
	else
		summary, ok = dissect_payload(tvb(4, plen), plen, item, PAY_MAX,
					      pinfo.abs_ts, names_of(pinfo))
	end
	local ours, bad = tcp_walk(tvb:offset())
	if ours > 1 then
		item:add_proto_expert_info(ei.duplicate,
			"More than one causal option in the header: receivers ignore them all")
		summary, ok = "causal malformed (two options)", false
	elseif ok and bad > 0 then
		-- causal's receivers take no stamp from a header with a bad
		-- option of kind 253, whatever its ExID
		item:add_proto_expert_info(ei.malformed,
			"Another kind 253 option of the header is malformed: receivers take no stamp from it")
		summary, ok = summary .. " (ignored: malformed kind 253 option)", false
	end
	item:add(hf.verdict, tvb(), ok and "stamp" or "malformed"):set_generated()
	set_columns(pinfo, summary)
	return len
end

tcp_options:add(TCP_KIND, causal)

-- UDP ------------------------------------------------------------------

-- Internet checksum of @len bytes of @r from @o (from an even offset of
-- the datagram), plus @extra, folded: a correct area sums to 0xffff.
local function ocs_sum(r, o, len, extra)
	local sum = extra % 65536
	local i = 0
	while i + 1 < len do
		sum = sum + r(o + i, 2):uint()
		i = i + 2
	end
	if len % 2 == 1 then
		sum = sum + r(o + len - 1, 1):uint() * 256
	end
	while sum > 65535 do
		sum = sum % 65536 + math.floor(sum / 65536)
	end
	return sum
end

--[[
The surplus area of @alen bytes at @off of @src, after a UDP header whose
length is @ulen: walk it as causal_udp_parse() does.
]]
local function dissect_area(src, off, alen, ulen, pinfo, tree)
	local area = src(off, alen)
	local item = tree:add(causal, area, "causal, UDP options")
	local odd = ulen % 2
	local verdict, why, summary
	local function bad(reason, ei_which, at)
		local where = at or item

		if verdict ~= "malformed" then
			verdict, why = "malformed", reason
		end
		where:add_proto_expert_info(ei_which or ei.malformed, "Malformed UDP options: " .. reason)
	end

	item:add(hf.u_surplus, area, alen):set_generated()
	if alen > UDP_AREA_MAX then
		bad(string.format("surplus area of %d bytes, more than causal's receivers read (%d)",
			alen, UDP_AREA_MAX))
	end
	if alen < odd + 2 then
		bad("no room for the option checksum")
		item:add(hf.verdict, area, verdict):set_generated()
		set_columns(pinfo, "causal malformed (" .. why .. ")")
		return
	end
	if odd == 1 then
		local p = item:add(hf.u_pad, area(0, 1))
		if area(0, 1):uint() ~= 0 then
			bad("nonzero alignment byte", nil, p)
		end
	end
	local ocs = area(odd, 2):uint()
	local ot = item:add(hf.u_ocs, area(odd, 2))
	local good = ocs ~= 0 and ocs_sum(area, odd, alen - odd, alen) == 0xffff
	ot:add(hf.u_ocs_status, area(odd, 2), good and 1 or 0):set_generated()
	if ocs == 0 then
		ot:append_text(" [zero: causal never sends it]")
		bad("zero option checksum", ei.ocs_bad, ot)
	elseif not good then
		local want = (0xffff - ocs_sum(area, odd + 2, alen - odd - 2, alen)) % 65536
		want = want == 0 and 0xffff or want
		ot:append_text(string.format(" [incorrect, should be 0x%04x]", want))
		bad(string.format("bad option checksum 0x%04x, should be 0x%04x", ocs, want), ei.ocs_bad, ot)
	else
		ot:append_text(" [correct]")
	end

	local o, ours, other = odd + 2, 0, 0
	while o < alen do
		local kind = area(o, 1):uint()
		local name = udp_kinds[kind] or (kind >= 192 and "unsafe" or "unassigned")
		if kind == UDP_EOL or kind == UDP_NOP then
			local t = item:add(hf.u_option, area(o, 1))
			t:set_text(string.format("UDP option: %s (%d)", name, kind))
			t:add(hf.u_kind, area(o, 1))
			if kind == UDP_EOL then
				break
			end
			o = o + 1
		else
			if o + 2 > alen then
				bad("option kind without a length", nil, item:add(hf.u_kind, area(o, 1)))
				break
			end
			local l, hl = area(o + 1, 1):uint(), 2
			if l == UDP_EXTENDED then
				if o + 4 > alen then
					bad("extended length past the area", nil, item:add(hf.u_kind, area(o, 1)))
					break
				end
				l, hl = area(o + 2, 2):uint(), 4
			end
			if l < 2 or o + l > alen then
				local t = item:add(hf.u_option, area(o, alen - o))
				t:set_text(string.format("UDP option: %s (%d), length %d", name, kind, l))
				t:add(hf.u_kind, area(o, 1))
				t:add(hf.u_length, area(o + 1, hl - 1), l)
				bad(l < 2 and string.format("option length %d", l) or
					string.format("option of %d bytes runs past the area", l), nil, t)
				break
			end
			-- (an extended length below 4 covers less than its own header;
			-- causal's receivers take it as another's option all the same)
			local opt = area(o, math.max(l, hl))
			local t = item:add(hf.u_option, opt)
			t:add(hf.u_kind, opt(0, 1))
			t:add(hf.u_length, opt(1, hl - 1), l)
			if kind == UDP_EXP and l >= 4 and hl == 2 and opt(2, 2):uint() == EXID then
				t:set_text(string.format("UDP option: %s (%d), causal", name, kind))
				t:add(hf.exid, opt(2, 2))
				ours = ours + 1
				local s, ok
				if l == 4 then
					t:add_proto_expert_info(ei.malformed, "Malformed causal option: no payload")
					s, ok = "causal malformed (no payload)", false
				else
					s, ok = dissect_payload(opt(4, l - 4), l - 4, t, UDP_PAY_MAX)
				end
				if ours > 1 then
					bad("more than one causal option, receivers ignore all",
						ei.duplicate, t)
				elseif not ok then
					if verdict ~= "malformed" then
						verdict, why = "malformed", "invalid causal payload"
					end
					summary = s
				else
					summary = s
				end
			else
				t:set_text(string.format("UDP option: %s (%d), length %d", name, kind, l))
				if kind == UDP_EXP and l >= hl + 2 then
					t:append_text(string.format(", ExID 0x%04x", opt(hl, 2):uint()))
				end
				if l < hl then
					t:append_text(" [shorter than its header]")
				end
				if l > hl then
					t:add(hf.u_data, opt(hl, l - hl))
				end
				other = other + 1
			end
			o = o + l
		end
	end

	if not verdict then
		if ours > 0 then
			verdict = "stamp"
		elseif other > 0 then
			verdict = "foreign"
			item:add_proto_expert_info(ei.foreign)
			summary = "UDP options, none causal's"
		else
			verdict = "none"
			summary = "UDP options, none causal's"
		end
	elseif verdict == "malformed" and why ~= "invalid causal payload" then
		summary = "causal malformed (" .. why .. ")"
	end
	item:add(hf.verdict, area, verdict):set_generated()
	if summary and verdict ~= "none" then
		item:append_text(": " .. summary:gsub("^causal ", ""))
	end
	if summary then
		set_columns(pinfo, summary)
	end
end

-- Where the IP payload holding the UDP header at @off of @src ends: the
-- nearest IP header before it in the same data source says (a reassembled
-- payload is a data source of its own, all of it the payload).
local function ip_payload_end(src, off)
	local best, stop
	for _, fi in ipairs({ f_ip_len() }) do
		if fi.source == src and fi.offset < off and (not best or fi.offset > best) then
			best, stop = fi.offset, fi.offset - 2 + fi.value
		end
	end
	for _, fi in ipairs({ f_ipv6_plen() }) do
		if fi.source == src and fi.offset < off and (not best or fi.offset > best) then
			best = fi.offset
			stop = fi.value > 0 and fi.offset - 4 + 40 + fi.value or nil
		end
	end
	if not best and off == 0 then
		return src:reported_len()
	end
	return stop
end

local causal_udp = Proto("causal_udp", "causal UDP surplus area (postdissector)")

function causal_udp.dissector(tvb, pinfo, tree)
	local lengths = {}
	for _, fi in ipairs({ f_udp_length() }) do
		lengths[#lengths + 1] = fi
	end
	for _, sp in ipairs({ f_udp_srcport() }) do
		local src, off, ulen = sp.source, sp.offset
		for _, fi in ipairs(lengths) do
			if fi.source == src and fi.offset == off + 4 then
				ulen = fi.value
			end
		end
		local stop = ulen and ulen >= 8 and ip_payload_end(src, off)
		if stop and stop > off + ulen then
			local alen = stop - off - ulen
			if stop > src:len() then
				local t = tree:add(causal, src(off, src:len() - off), "causal, UDP options")
				t:add_proto_expert_info(ei.truncated, string.format(
					"UDP surplus area of %d bytes, not all of it in the capture", alen))
			else
				dissect_area(src, off + ulen, alen, ulen, pinfo, tree)
			end
		end
	end
end

register_postdissector(causal_udp)
