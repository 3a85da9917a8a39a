# File: bench/soak/plot.gp
# Draws a soak CSV (written by bench/soak/soak.py) as one PNG with three
# panels sharing the time axis: throughput, p99 latency, RSS with the fitted
# line after warm-up. Variables come from `gnuplot -e`:
#   csv, png, term ("pngcairo" or "png"), title, target_rate (tasks/s),
#   warm_s (warm-up end, s), slope_b_min / icpt_b (RSS fit: bytes = icpt_b + slope_b_min * t_min)
set terminal @term size 900,900
set output png
set datafile separator ","
set key bottom right opaque
set grid
set lmargin 12
set xrange [0:*]
set multiplot layout 3,1 title title font ",11"

set xlabel ""
set ylabel "tasks/s"
set yrange [0:target_rate * 1.25]
set arrow 1 from warm_s, graph 0 to warm_s, graph 1 nohead dashtype 2 lc rgb "gray40"
plot csv using 1:2 skip 1 with linespoints pt 7 ps 0.4 lc rgb "#1f77b4" title "accepted tasks/s (per window)", \
     target_rate with lines dashtype 2 lc rgb "#d62728" title "offered rate"

set ylabel "p99 (ms)"
set yrange [0:*]
plot csv using 1:3 skip 1 with linespoints pt 7 ps 0.4 lc rgb "#ff7f0e" title "p99 per window (open loop)"

set xlabel "time since soak start (s)"
set ylabel "RSS (MiB)"
set yrange [*:*]
fit_line(t) = (t >= warm_s) ? (icpt_b + slope_b_min * t / 60.0) / 1048576.0 : NaN
set samples 400
plot csv using 1:($5/1048576.0) skip 1 with linespoints pt 7 ps 0.4 lc rgb "#2ca02c" title "taskmesh RSS", \
     fit_line(x) with lines lw 2 lc rgb "#d62728" title sprintf("fit after warm-up: %+.0f B/min", slope_b_min)

unset multiplot
