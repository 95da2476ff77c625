// A watercolour globe centred on the Atlantic: deep teal ocean sphere, coral and sand continents, curved pencil graticule.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f4efe6');
  brush.scaleBrushes(1.5);
  const NA = [[-168,66],[-160,71],[-140,70],[-120,72],[-95,72],[-80,73],[-65,62],[-60,50],[-67,45],[-76,35],[-81,30],[-80,25],[-83,29],[-90,29],[-97,26],[-97,20],[-92,18],[-87,21],[-83,15],[-78,8],[-83,8],[-92,14],[-105,20],[-110,24],[-115,30],[-118,34],[-124,40],[-124,48],[-135,58],[-150,60],[-165,60]];
  const GL = [[-73,78],[-60,82],[-30,83],[-20,76],[-22,70],[-42,60],[-50,64],[-55,70],[-68,76]];
  const SA = [[-78,8],[-72,12],[-62,10],[-50,0],[-35,-5],[-38,-13],[-40,-22],[-48,-26],[-58,-35],[-65,-42],[-68,-52],[-72,-54],[-75,-48],[-73,-38],[-71,-28],[-70,-18],[-76,-14],[-81,-5],[-80,1]];
  const EU = [[-10,36],[-9,43],[-2,44],[-5,48],[2,51],[8,54],[10,57],[5,62],[15,69],[30,71],[60,70],[80,73],[100,77],[120,73],[140,72],[160,70],[180,66],[175,63],[163,60],[160,53],[155,58],[142,55],[140,48],[135,43],[130,40],[127,35],[122,31],[121,25],[110,21],[106,16],[109,11],[104,8],[100,13],[101,3],[104,1],[98,8],[98,16],[94,17],[90,22],[86,20],[80,15],[77,8],[73,16],[72,21],[67,24],[57,25],[56,27],[50,30],[48,29],[51,24],[56,24],[59,22],[52,16],[45,13],[43,15],[35,28],[34,31],[36,36],[28,37],[26,40],[23,38],[20,40],[15,38],[12,44],[5,43],[-2,36]];
  const AF = [[-17,21],[-10,30],[-6,35],[10,37],[20,32],[32,31],[35,28],[43,12],[51,12],[40,-2],[40,-15],[35,-25],[27,-34],[18,-34],[12,-18],[13,-5],[9,4],[-8,5],[-15,11]];
  const AU = [[114,-22],[122,-18],[130,-12],[137,-12],[142,-11],[146,-19],[153,-26],[150,-37],[140,-38],[130,-32],[115,-34]];
  const MG = [[44,-13],[50,-15],[47,-25],[43,-22]];
  const UK = [[-5,50],[1,51],[-2,57],[-6,58],[-5,54]];
  const JP = [[130,32],[140,36],[142,43],[140,40],[135,34]];
  const ID = [[95,5],[106,-6],[115,-8],[120,-9],[118,-4],[110,-2],[104,1]];
  const NG = [[131,-1],[141,-3],[150,-10],[142,-9],[136,-5]];
  const NZ = [[172,-35],[178,-38],[174,-42],[167,-46],[170,-42]];
  const R = 200, L0 = -25, F0 = 15;
  // orthographic projection; points on the far side are pushed to the limb
  const pr = (lo, la) => {
    const x = cos(la) * sin(lo - L0);
    const y = cos(F0) * sin(la) - sin(F0) * cos(la) * cos(lo - L0);
    const z = sin(F0) * sin(la) + cos(F0) * cos(la) * cos(lo - L0);
    if (z < 0) { const m = sqrt(x * x + y * y); return [R * x / m, -R * y / m]; }
    return [R * x, -R * y];
  };
  const P = (pts) => pts.map(([lo, la]) => pr(lo, la));

  // soft shadow and ocean sphere
  brush.noStroke();
  brush.fill('#9fb6b0', 120);
  brush.fillBleed(0.3);
  brush.circle(14, 16, R + 4);
  brush.fill('#2f8f8a', 220);
  brush.fillBleed(0.08);
  brush.fillTexture(0.5, 0.6);
  brush.circle(0, 0, R);
  brush.fill('#1f6f78', 140);
  brush.fillBleed(0.1);
  brush.circle(30, 35, R * 0.75);

  // graticule
  brush.set('2H', '#e8f1ee', 0.6);
  brush.noFill();
  for (let lo = -180; lo < 180; lo += 30) {
    const d = ((lo - L0 + 540) % 360) - 180;
    if (abs(d) >= 90) continue;
    const pts = [];
    for (let la = -80; la <= 80; la += 10) pts.push(pr(lo, la));
    brush.spline(pts, 0.5);
  }
  for (let la = -60; la <= 60; la += 30) {
    const pts = [];
    for (let lo = L0 - 88; lo <= L0 + 88; lo += 8) pts.push(pr(lo, la));
    brush.spline(pts, 0.5);
  }

  // continents
  const lands = [[NA, '#f0b27a'], [SA, '#e8836b'], [EU, '#f3c98b'], [AF, '#ee9a6a'], [GL, '#f7efe2'], [UK, '#f3c98b'], [MG, '#e8836b']];
  brush.noStroke();
  brush.wash('#f4efe6', 230);
  for (const [c] of lands.slice(0, 5)) brush.polygon(P(c));
  brush.noWash();
  for (const [c, col] of lands) {
    brush.fill(col, 240);
    brush.fillBleed(0.15);
    brush.fillTexture(0.5, 0.6);
    brush.polygon(P(c));
  }
  brush.set('rotring', '#1d3f44', 0.5);
  brush.noFill();
  for (const [c] of lands) brush.polygon(P(c));

  // outline of the sphere
  brush.set('2B', '#163b40', 1.2);
  brush.circle(0, 0, R);
}
